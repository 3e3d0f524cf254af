// Command allotsums prints the exact cost allot gathers per team and
// action class for a month: the same pipeline.Gather an allot run uses
// (connectors, tag resolution, grouping), before allocation rounds
// anything. The benchmark compares it with DuckDB's exact DECIMAL sums.
//
//	allotsums --config DIR/allot.yaml --period 2026-10
//
// Output: one "team,class,lines,cost" line per team and class, sorted,
// then nothing else; an unallocated team or an unclassified class is
// empty.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/connectors/awscur"
	"github.com/allot-dev/allot/connectors/azexport"
	"github.com/allot-dev/allot/connectors/focus"
	"github.com/allot-dev/allot/connectors/gateway"
	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/objstore"
	"github.com/allot-dev/allot/objstore/fileblob"
	"github.com/allot-dev/allot/pipeline"
	"github.com/allot-dev/allot/rules"
	"github.com/shopspring/decimal"
)

func main() {
	config := flag.String("config", "", "allot.yaml")
	period := flag.String("period", "", "YYYY-MM")
	flag.Parse()
	if err := run(*config, *period); err != nil {
		fmt.Fprintln(os.Stderr, "allotsums:", err)
		os.Exit(1)
	}
}

func run(config, period string) error {
	p, err := cost.ParsePeriod(period)
	if err != nil {
		return err
	}
	cfg, err := rules.LoadFile(config)
	if err != nil {
		return err
	}
	store := new(objstore.Mux)
	store.Register(fileblob.Scheme, fileblob.OpenURL)
	sources := new(connectors.Mux)
	sources.Register(connectors.KindFOCUS, focus.Open)
	sources.Register(connectors.KindAWSCUR, awscur.OpenCUR)
	sources.Register(connectors.KindAWSCUR2, awscur.OpenCUR2)
	sources.Register(connectors.KindAzureExport, azexport.Open)
	sources.Register(connectors.KindGateway, gateway.Open)
	g, err := pipeline.Gather(context.Background(), cfg, pipeline.Env{Store: store, Sources: sources}, p)
	if err != nil {
		return err
	}
	type sum struct {
		lines int64
		cost  decimal.Decimal
	}
	by := map[[2]string]*sum{}
	for _, cg := range g.Costs {
		k := [2]string{cg.Team, cg.Class}
		s, ok := by[k]
		if !ok {
			s = &sum{}
			by[k] = s
		}
		s.lines += cg.Lines
		s.cost = s.cost.Add(cg.Cost)
	}
	var out []string
	for k, s := range by {
		out = append(out, fmt.Sprintf("%s,%s,%d,%s", k[0], k[1], s.lines, s.cost.String()))
	}
	sort.Strings(out)
	for _, l := range out {
		fmt.Println(l)
	}
	return nil
}
