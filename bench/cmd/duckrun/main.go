// Command duckrun runs the DuckDB side of the allot benchmark: the group-by
// a FinOps engineer would write by hand over the same files allot reads,
// summing the cost allot allocates (CUR 2.0: billed; an Azure AmortizedCost
// export: effective) by team and action class tag in exact DECIMAL
// arithmetic. It prints the wall time of the query and, with -sums, the
// sums per team and class (one "team,class,lines,cost" line each, sorted),
// for the cross-check against allot.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/shopspring/decimal"
)

func main() {
	glob := flag.String("files", "", "the data files (a glob)")
	export := flag.String("export", "aws-cur2", "aws-cur2 or azure-export")
	format := flag.String("format", "parquet", "parquet or csv.gz (aws-cur2); csv or csv.gz (azure-export)")
	threads := flag.Int("threads", 1, "DuckDB threads (SET threads)")
	scale := flag.Int("scale", 10, "DECIMAL scale of the sum")
	sums := flag.String("sums", "", "write the sums per team and class to this file")
	flag.Parse()
	var q string
	switch *export {
	case "aws-cur2":
		q = query(*glob, *format, *scale)
	case "azure-export":
		q = azureQuery(*glob, *scale)
	default:
		fmt.Fprintln(os.Stderr, "duckrun: -export must be aws-cur2 or azure-export")
		os.Exit(2)
	}
	if err := run(*glob, q, *threads, *sums); err != nil {
		fmt.Fprintln(os.Stderr, "duckrun:", err)
		os.Exit(1)
	}
}

// query is the group-by. The cost is the billed cost allot allocates
// under cost_basis: billed, CUR's net unblended cost when the line has
// one, else the unblended cost (FORMATS §1.5).
func query(glob, format string, scale int) string {
	dec := fmt.Sprintf("DECIMAL(38,%d)", scale)
	if format == "parquet" {
		return fmt.Sprintf(`SELECT coalesce(resource_tags['user:team'], '') AS team,
       coalesce(resource_tags['user:action_class'], '') AS class,
       count(*) AS lines,
       sum(CAST(coalesce(line_item_net_unblended_cost, line_item_unblended_cost) AS %s)) AS cost
FROM read_parquet('%s')
GROUP BY ALL`, dec, glob)
	}
	// Costs are read as text and cast to DECIMAL: exact, E-notation included.
	return fmt.Sprintf(`SELECT coalesce(json_extract_string(resource_tags, '$."user:team"'), '') AS team,
       coalesce(json_extract_string(resource_tags, '$."user:action_class"'), '') AS class,
       count(*) AS lines,
       sum(CAST(coalesce(line_item_net_unblended_cost, line_item_unblended_cost) AS %s)) AS cost
FROM read_csv('%s', header = true, types = {'line_item_unblended_cost': 'VARCHAR',
     'line_item_net_unblended_cost': 'VARCHAR', 'resource_tags': 'VARCHAR'})
GROUP BY ALL`, dec, glob)
}

// azureQuery is the group-by over an Azure AmortizedCost export's cost
// details (CSV, plain or gzip): the effective cost, which is the row's
// CostInBillingCurrency except for a reservation's or savings plan's
// purchase or refund (amortized onto the usage it covers), by the team and
// action_class keys of the Tags JSON.
func azureQuery(glob string, scale int) string {
	return fmt.Sprintf(`SELECT coalesce(json_extract_string(Tags, '$.team'), '') AS team,
       coalesce(json_extract_string(Tags, '$.action_class'), '') AS class,
       count(*) AS lines,
       sum(CASE WHEN lower(ChargeType) IN ('purchase', 'refund')
                 AND lower(replace(PricingModel, ' ', '')) IN ('reservation', 'savingsplan') THEN 0
            ELSE CAST(CostInBillingCurrency AS DECIMAL(38,%d)) END) AS cost
FROM read_csv('%s', header = true, types = {'CostInBillingCurrency': 'VARCHAR', 'Tags': 'VARCHAR',
     'ChargeType': 'VARCHAR', 'PricingModel': 'VARCHAR'})
GROUP BY ALL`, scale, glob)
}

func run(glob, q string, threads int, sumsPath string) error {
	if glob == "" {
		return fmt.Errorf("-files is required")
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET threads = %d", threads)); err != nil {
		return err
	}
	start := time.Now()
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	var out []string
	var total int64
	sum := decimal.Zero
	for rows.Next() {
		var team, class string
		var lines int64
		var cost any
		if err := rows.Scan(&team, &class, &lines, &cost); err != nil {
			return err
		}
		d, err := decimal.NewFromString(fmt.Sprint(cost))
		if err != nil {
			return fmt.Errorf("cost %v: %w", cost, err)
		}
		total += lines
		sum = sum.Add(d)
		out = append(out, fmt.Sprintf("%s,%s,%d,%s", team, class, lines, d.String()))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	elapsed := time.Since(start)
	sort.Strings(out)
	fmt.Printf("seconds=%.3f\nrows=%d\ngroups=%d\ntotal=%s\n", elapsed.Seconds(), total, len(out), sum.String())
	if sumsPath != "" {
		return os.WriteFile(sumsPath, []byte(strings.Join(out, "\n")+"\n"), 0o644)
	}
	return nil
}
