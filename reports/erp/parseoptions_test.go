package erp

import (
	"errors"
	"testing"
)

func TestParseOptions(t *testing.T) {
	o, err := ParseOptions("sap", map[string]string{"doc_type": "AB", "max_lines": "500", "omit_fiscal_period": "true"})
	if err != nil {
		t.Fatal(err)
	}
	if o.SAP.DocType != "AB" || o.SAP.MaxLines != 500 || !o.SAP.OmitFiscalPeriod {
		t.Errorf("sap options = %+v", o.SAP)
	}
	o, err = ParseOptions("oracle-gl-interface", map[string]string{"ledger_ids": "1000=300000001, 2000=300000002", "segments": "company, account"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Oracle.LedgerIDs["2000"] != "300000002" || len(o.Oracle.Segments) != 2 || o.Oracle.Segments[1] != "account" {
		t.Errorf("oracle options = %+v", o.Oracle)
	}
	o, err = ParseOptions("netsuite", map[string]string{"subsidiaries": "1000=Acme Inc"})
	if err != nil || o.NetSuite.Subsidiaries["1000"] != "Acme Inc" {
		t.Errorf("netsuite options = %+v, %v", o.NetSuite, err)
	}
	for name, tc := range map[string]struct {
		format string
		m      map[string]string
	}{
		"unknown key":         {"sap", map[string]string{"docu_type": "SA"}},
		"key of other format": {"workday", map[string]string{"doc_type": "SA"}},
		"not a number":        {"sap", map[string]string{"max_lines": "many"}},
		"over the SAP limit":  {"sap", map[string]string{"max_lines": "1000"}},
		"bad map":             {"netsuite", map[string]string{"subsidiaries": "Acme"}},
		"bad ledger id":       {"oracle-gl-interface", map[string]string{"ledger_id": "L1"}},
		"generic has none":    {"generic-csv", map[string]string{"x": "y"}},
	} {
		if _, err := ParseOptions(tc.format, tc.m); !errors.Is(err, ErrOption) {
			t.Errorf("%s: error = %v, want ErrOption", name, err)
		}
	}
}
