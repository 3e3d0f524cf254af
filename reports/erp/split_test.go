package erp

import (
	"bytes"
	"testing"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// TestSAPSplit2500 encodes 2,500-line journals and checks each SAP document
// against the limit and for balance, and the documents' total against the
// journal. The item counts were worked out by hand from the algorithm in
// the package documentation.
func TestSAPSplit2500(t *testing.T) {
	cases := []struct {
		name      string
		j         cost.Journal
		wantItems []int // items per document
		wantSplit int   // lines booked in more than one document
	}{
		{
			// 2,496 debits of 1.00, four credits of 624.00: credit boundaries
			// fall on debit boundaries (clean cuts at 624, 1248, 1872), and
			// 624 + 1 items fit, so no line is cut.
			name: "whole groups", j: bigJournal(2496, 4, "1.00"),
			wantItems: []int{625, 625, 625, 625}, wantSplit: 0,
		},
		{
			// 2,498 debits of 1.00, two credits of 1249.00: each group of
			// 1,250 lines is too big. The first document takes 998 debits and
			// 998.00 of credit 1; the second ends at the clean cut 1249 with
			// 251 debits and the remaining 251.00; the same again for credit 2.
			name: "groups too large", j: bigJournal(2498, 2, "1.00"),
			wantItems: []int{999, 252, 999, 252}, wantSplit: 2,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if n := len(tc.j.Lines); n != 2500 {
				t.Fatalf("fixture has %d lines, want 2500", n)
			}
			docs := splitDocuments(tc.j.Lines, DefaultSAPMaxLines)
			var got []int
			seen := map[int]int{}
			sum := decimal.Zero
			for i, doc := range docs {
				got = append(got, len(doc))
				if len(doc) > DefaultSAPMaxLines {
					t.Errorf("document %d has %d items", i+1, len(doc))
				}
				var dr, cr decimal.Decimal
				for _, p := range doc {
					seen[p.idx]++
					if tc.j.Lines[p.idx].Debit.Sign() > 0 {
						dr = dr.Add(p.amount)
					} else {
						cr = cr.Add(p.amount)
					}
				}
				if !dr.Equal(cr) {
					t.Errorf("document %d: debits %s credits %s", i+1, dr, cr)
				}
				sum = sum.Add(dr)
			}
			if len(got) != len(tc.wantItems) {
				t.Fatalf("items per document = %v, want %v", got, tc.wantItems)
			}
			for i := range got {
				if got[i] != tc.wantItems[i] {
					t.Fatalf("items per document = %v, want %v", got, tc.wantItems)
				}
			}
			split := 0
			for i := range tc.j.Lines {
				switch n := seen[i]; {
				case n == 0:
					t.Errorf("line %d is in no document", i+1)
				case n > 1:
					split++
				}
			}
			if split != tc.wantSplit {
				t.Errorf("%d lines split across documents, want %d", split, tc.wantSplit)
			}
			if dr, _ := tc.j.Totals(); !sum.Equal(dr) {
				t.Errorf("documents total %s, journal %s", sum, dr)
			}

			// The encoded file agrees: parse it back independently.
			var buf bytes.Buffer
			if err := Encode(&buf, "sap", []cost.Journal{tc.j}, Options{}); err != nil {
				t.Fatal(err)
			}
			p := parseOutput(t, "sap", buf.Bytes(), nil)
			if len(p.docs) != len(tc.wantItems) {
				t.Fatalf("file has %d documents, want %d", len(p.docs), len(tc.wantItems))
			}
			for i, doc := range p.docs {
				if doc.items > DefaultSAPMaxLines || doc.items != tc.wantItems[i] {
					t.Errorf("file document %d has %d items, want %d", i+1, doc.items, tc.wantItems[i])
				}
			}
			checkParsed(t, "sap", p, []cost.Journal{tc.j})
			refs := map[string]bool{}
			for _, row := range readCSV(t, buf.Bytes())[1:] {
				if row[0] == "H" {
					if refs[row[8]] || len(row[8]) > 16 {
						t.Errorf("REF_DOC_NO %q repeated or longer than 16", row[8])
					}
					refs[row[8]] = true
				}
			}
		})
	}
}

func TestSAPReference(t *testing.T) {
	cases := []struct {
		id        string
		doc, docs int
		want      string
	}{
		{"J42", 1, 1, "J42-01"},
		{"J42", 12, 12, "J42-12"},
		{"J42", 7, 150, "J42-007"},
		{"ABCDEFGHIJKLM", 1, 3, "ABCDEFGHIJKLM-01"}, // 13 + 3 = 16 fits
		// 14 characters do not fit: "AL" and 11 hex digits of the SHA-256,
		// from `echo -n ABCDEFGHIJKLMN | sha256sum` = 93c5f007220b38ab…
		{"ABCDEFGHIJKLMN", 2, 3, "AL93C5F007220-02"},
		// A formula character is never a reference: sha256("=1+1") = bac90eef5bf…
		{"=1+1", 1, 1, "ALBAC90EEF5BF-01"},
		{"J 42", 1, 1, "AL4AD13AA3A02-01"}, // a space is not kept
		{"AL-2026-10-1000-USD", 3, 3, "ALB953FCF1923-03"},
	}
	for _, tc := range cases {
		if got := SAPReference(tc.id, tc.doc, tc.docs); got != tc.want {
			t.Errorf("SAPReference(%q, %d, %d) = %q, want %q", tc.id, tc.doc, tc.docs, got, tc.want)
		}
	}
}

func TestOracleGroupID(t *testing.T) {
	// Expected values computed outside Go, from the documented formula:
	// python3: 10**14 + int(sha256(id).hexdigest()[:16], 16) % (9*10**14)
	cases := map[string]string{
		"AL-2026-10-1000-USD": "195434554384051",
		"AL-2026-10-2000-EUR": "384394393924738",
	}
	for id, want := range cases {
		if got := OracleGroupID(id); got != want {
			t.Errorf("OracleGroupID(%q) = %s, want %s", id, got, want)
		}
	}
}
