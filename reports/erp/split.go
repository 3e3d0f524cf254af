package erp

import (
	"sort"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// portion is all or part of one journal line, booked in one document.
type portion struct {
	idx    int             // index into the journal's Lines
	amount decimal.Decimal // > 0, on the line's own side
}

// splitDocuments partitions a balanced journal's lines into documents of at
// most max items (max >= 2), each of which balances on its own. The
// algorithm is described under "SAP documents and the 999-line limit" in
// the package documentation:
//
// Lay the debit lines end to end on one axis from 0 to the journal total T,
// in journal order, and the credit lines on a second axis from 0 to T. A
// document is an interval [a, x) of both axes: it books the part of every
// line that overlaps the interval, so its debits and its credits both add
// up to x - a and it balances by construction. Its item count is the number
// of debit lines plus credit lines the interval touches, which grows with
// x. Starting at a = 0, each document ends at the furthest line boundary x
// that keeps the count within max, preferring a "clean" boundary, where a
// debit line and a credit line end at the same point, so that no line is
// cut (whole balanced groups stay together); only when no clean boundary
// fits is a line cut at x, its remainder opening the next document. At most
// one debit and one credit line are cut per document, and a document always
// holds at least one debit and one credit, so the loop ends.
func splitDocuments(lines []cost.JournalLine, max int) [][]portion {
	var dIdx, cIdx []int
	var dEnd, cEnd []decimal.Decimal
	var dSum, cSum decimal.Decimal
	for i := range lines {
		if lines[i].Debit.Sign() > 0 {
			dSum = dSum.Add(lines[i].Debit)
			dIdx, dEnd = append(dIdx, i), append(dEnd, dSum)
		} else {
			cSum = cSum.Add(lines[i].Credit)
			cIdx, cEnd = append(cIdx, i), append(cEnd, cSum)
		}
	}
	if len(dIdx) == 0 || len(cIdx) == 0 || !dSum.Equal(cSum) {
		return nil // callers validate balance first
	}
	// Candidate cut points: every line boundary on either axis, ascending,
	// marked clean when both axes have a boundary there.
	type cut struct {
		x     decimal.Decimal
		clean bool
	}
	var cuts []cut
	for i, k := 0, 0; i < len(dEnd) || k < len(cEnd); {
		switch {
		case k == len(cEnd) || (i < len(dEnd) && dEnd[i].LessThan(cEnd[k])):
			cuts = append(cuts, cut{x: dEnd[i]})
			i++
		case i == len(dEnd) || cEnd[k].LessThan(dEnd[i]):
			cuts = append(cuts, cut{x: cEnd[k]})
			k++
		default:
			cuts = append(cuts, cut{x: dEnd[i], clean: true})
			i++
			k++
		}
	}
	start := func(ends []decimal.Decimal, k int) decimal.Decimal {
		if k == 0 {
			return decimal.Zero
		}
		return ends[k-1]
	}
	var docs [][]portion
	a := decimal.Zero
	di, ci, next := 0, 0, 0 // first line of each axis ending after a; first cut after a
	for next < len(cuts) {
		// pd, pc: lines on each axis that end before the candidate x.
		pd, pc := di, ci
		best, bestClean := -1, -1
		for c := next; c < len(cuts); c++ {
			x := cuts[c].x
			for pd < len(dEnd) && dEnd[pd].LessThan(x) {
				pd++
			}
			for pc < len(cEnd) && cEnd[pc].LessThan(x) {
				pc++
			}
			// Lines touched by [a, x): those from di (ci) up to and
			// including the one that contains x's left neighbourhood.
			n := (min(pd+1, len(dEnd)) - di) + (min(pc+1, len(cEnd)) - ci)
			if n > max {
				break
			}
			best = c
			if cuts[c].clean {
				bestClean = c
			}
		}
		if bestClean >= 0 {
			best = bestClean
		}
		x := cuts[best].x
		var doc []portion
		for k := di; k < len(dEnd) && start(dEnd, k).LessThan(x); k++ {
			doc = append(doc, portion{idx: dIdx[k], amount: decimal.Min(dEnd[k], x).Sub(decimal.Max(start(dEnd, k), a))})
		}
		for k := ci; k < len(cEnd) && start(cEnd, k).LessThan(x); k++ {
			doc = append(doc, portion{idx: cIdx[k], amount: decimal.Min(cEnd[k], x).Sub(decimal.Max(start(cEnd, k), a))})
		}
		sort.Slice(doc, func(p, q int) bool { return doc[p].idx < doc[q].idx })
		docs = append(docs, doc)
		a = x
		for di < len(dEnd) && !a.LessThan(dEnd[di]) {
			di++
		}
		for ci < len(cEnd) && !a.LessThan(cEnd[ci]) {
			ci++
		}
		next = best + 1
	}
	return docs
}
