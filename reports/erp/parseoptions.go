package erp

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ParseOptions reads an output's options (the configuration's
// outputs[].options, string to string) for one format. Keys are the
// format's own, without a prefix:
//
//	sap                  doc_type, bus_act, user_name, max_lines, omit_fiscal_period
//	oracle-gl-interface  ledger_id, ledger_ids, ledger_names, source, category,
//	                     actual_flag, group_id, segments, period_layout
//	netsuite             subsidiaries, period_layout, date_layout
//	workday              ledger_type, source, book_code
//
// Maps are written "1000=300000001,2000=300000002"; segments as
// "company,cost_center,account". An unknown key is an error naming the
// known ones.
func ParseOptions(format string, m map[string]string) (Options, error) {
	var o Options
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.TrimSpace(m[k])
		var err error
		switch format + "." + k {
		case "sap.doc_type":
			o.SAP.DocType = v
		case "sap.bus_act":
			o.SAP.BusAct = v
		case "sap.user_name":
			o.SAP.UserName = v
		case "sap.max_lines":
			o.SAP.MaxLines, err = strconv.Atoi(v)
		case "sap.omit_fiscal_period":
			o.SAP.OmitFiscalPeriod, err = strconv.ParseBool(v)
		case "oracle-gl-interface.ledger_id":
			o.Oracle.LedgerID = v
		case "oracle-gl-interface.ledger_ids":
			o.Oracle.LedgerIDs, err = parseMap(v)
		case "oracle-gl-interface.ledger_names":
			o.Oracle.LedgerNames, err = parseMap(v)
		case "oracle-gl-interface.source":
			o.Oracle.Source = v
		case "oracle-gl-interface.category":
			o.Oracle.Category = v
		case "oracle-gl-interface.actual_flag":
			o.Oracle.ActualFlag = v
		case "oracle-gl-interface.group_id":
			o.Oracle.GroupID = v
		case "oracle-gl-interface.segments":
			for _, s := range strings.Split(v, ",") {
				o.Oracle.Segments = append(o.Oracle.Segments, strings.TrimSpace(s))
			}
		case "oracle-gl-interface.period_layout":
			o.Oracle.PeriodLayout = v
		case "netsuite.subsidiaries":
			o.NetSuite.Subsidiaries, err = parseMap(v)
		case "netsuite.period_layout":
			o.NetSuite.PeriodLayout = v
		case "netsuite.date_layout":
			o.NetSuite.DateLayout = v
		case "workday.ledger_type":
			o.Workday.LedgerType = v
		case "workday.source":
			o.Workday.Source = v
		case "workday.book_code":
			o.Workday.BookCode = v
		default:
			return Options{}, fmt.Errorf("erp: %s: unknown option %q (known: %s): %w", format, k, strings.Join(optionKeys[format], ", "), ErrOption)
		}
		if err != nil {
			return Options{}, fmt.Errorf("erp: %s: option %s=%q: %v: %w", format, k, v, err, ErrOption)
		}
	}
	d := o.withDefaults()
	if err := d.validate(format); err != nil {
		return Options{}, err
	}
	return o, nil
}

var optionKeys = map[string][]string{
	"sap":                 {"doc_type", "bus_act", "user_name", "max_lines", "omit_fiscal_period"},
	"oracle-gl-interface": {"ledger_id", "ledger_ids", "ledger_names", "source", "category", "actual_flag", "group_id", "segments", "period_layout"},
	"netsuite":            {"subsidiaries", "period_layout", "date_layout"},
	"workday":             {"ledger_type", "source", "book_code"},
	"generic-csv":         {},
	"generic-jsonl":       {},
}

func parseMap(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("want KEY=VALUE pairs separated by commas")
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}
