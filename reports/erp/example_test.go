package erp_test

import (
	"fmt"
	"os"
	"time"

	"github.com/allot-dev/allot/cost"
	"github.com/allot-dev/allot/reports/erp"
	"github.com/shopspring/decimal"
)

func ExampleEncode() {
	j := cost.Journal{
		ID: "AL-2026-10-1000-USD", Kind: "allocation", Company: "1000", Currency: "USD",
		Period:         cost.Period{Year: 2026, Month: time.October},
		AccountingDate: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC),
		Lines: []cost.JournalLine{
			{Line: 1, CostCenter: "CC-4100", Account: "650100", Debit: decimal.RequireFromString("600"),
				Description: "=search usage", Team: "search", ActionClass: "chat_call", Component: cost.CompUsage},
			{Line: 2, Account: "490100", Credit: decimal.RequireFromString("600"), Description: "platform recovery"},
		},
	}
	if err := erp.Encode(os.Stdout, "sap", []cost.Journal{j}, erp.Options{}); err != nil {
		fmt.Println(err)
	}
	fmt.Println(erp.FileName("sap", j))
	// Output:
	// RECORD_TYPE,DOCUMENT,COMP_CODE,DOC_DATE,PSTNG_DATE,FISC_YEAR,FIS_PERIOD,DOC_TYPE,REF_DOC_NO,HEADER_TXT,BUS_ACT,USERNAME,ITEMNO_ACC,GL_ACCOUNT,COSTCENTER,ITEM_TEXT,CURRENCY,AMT_DOCCUR
	// H,1,1000,20261031,20261031,2026,10,SA,ALB953FCF1923-01,allot allocation 2026-10,RFBU,ALLOT,,,,,,
	// I,1,,,,,,,,,,,1,650100,CC-4100,'=search usage,USD,600.00
	// I,1,,,,,,,,,,,2,490100,,platform recovery,USD,-600.00
	// AL-2026-10-1000-USD.sap.csv
}
