package gen

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"time"
)

// line is one synthetic bill line. Amounts are integers of 10^-12 dollars
// so that every value is an exact decimal; they are written as text or
// as the nearest double.
type line struct {
	res  *resource // nil for an account-level line (tax, fees, credits)
	acct *account
	ut   *usageType // nil for an account-level line
	svc  string
	typ  int
	hour int   // hours since the start of the period
	qty  int64 // usage amount × 1000

	unblended, net                int64
	hasNet                        bool
	pod                           int64 // public on-demand cost
	hasPod                        bool
	riEff, riNetEff               int64
	riUnusedUp, riNetUnusedUp     int64
	riUnusedRec, riNetUnusedRec   int64
	spEff, spNetEff               int64
	spTotal, spUsed               int64
	riARN, spARN                  bool
	hasRI, hasSP, hasRIU, hasSPRF bool
}

// pico is 10^-12 dollars.
const pico = 1_000_000_000_000

func round10(v int64) int64 { return v / 100 * 100 }

func netOf(v int64) int64 { return v - round10(v/20) }

// draw fills l with the next line.
func (w *world) draw(rng *rand.Rand, l *line) {
	*l = line{}
	x := rng.Float64() * w.cum[len(w.cum)-1]
	ri := sort.SearchFloat64s(w.cum, x)
	if ri >= len(w.resources) {
		ri = len(w.resources) - 1
	}
	r := &w.resources[ri]
	ut := &r.usageTypes[rng.IntN(len(r.usageTypes))]
	l.typ = int(lineTypeTable[rng.IntN(1000)])
	l.hour = rng.IntN(w.period.Days() * 24)
	l.acct = &w.accounts[r.acct]
	l.svc = r.service
	qty := 1 + rng.Int64N(ut.maxQty)
	c := qty * ut.rate * 100
	if w.long > 0 && l.typ == ltUsage && rng.Float64() < w.long {
		c += 1 + rng.Int64N(99) // two more fractional digits
	}
	if !lineTypes[l.typ].account {
		l.res, l.ut, l.qty = r, ut, qty
	}
	switch l.typ {
	case ltUsage:
		l.unblended, l.pod, l.hasPod = c, c, true
	case ltSPCovered:
		l.unblended, l.pod, l.hasPod = c, c, true
		l.spEff, l.hasSP, l.spARN = round10(c*3/4), true, true
	case ltSPNegation:
		l.unblended, l.spARN = -c, true
	case ltDiscounted:
		l.pod, l.hasPod = c, true
		l.riEff, l.hasRI, l.riARN = round10(c*7/10), true, true
	case ltTax:
		l.unblended = round10(c / 10)
	case ltCredit:
		l.unblended = -round10(c / 5)
	case ltFee:
		l.unblended = c * 10
		l.riARN = rng.IntN(2) == 0
	case ltRIFee:
		l.unblended, l.riARN, l.hasRIU = c*5, true, true
		l.riUnusedUp, l.riUnusedRec = round10(c/3), round10(c/4)
	case ltSPRecurring:
		l.unblended, l.spARN, l.hasSPRF = c*5, true, true
		l.spTotal, l.spUsed = c*5, c*4
	}
	if l.acct.discounted {
		l.hasNet = true
		l.net = netOf(l.unblended)
		l.riNetEff, l.spNetEff = netOf(l.riEff), netOf(l.spEff)
		l.riNetUnusedUp, l.riNetUnusedRec = netOf(l.riUnusedUp), netOf(l.riUnusedRec)
	}
}

// billed is the FOCUS BilledCost (net unblended, else unblended).
func (l *line) billed() int64 {
	if l.hasNet {
		return l.net
	}
	return l.unblended
}

// effective is the FOCUS EffectiveCost, by the rules of FORMATS §1.5.
func (l *line) effective() int64 {
	n := l.hasNet
	pickNet := func(gross, net int64) int64 {
		if n {
			return net
		}
		return gross
	}
	switch l.typ {
	case ltSPCovered:
		return pickNet(l.spEff, l.spNetEff)
	case ltDiscounted:
		return pickNet(l.riEff, l.riNetEff)
	case ltSPNegation:
		return 0
	case ltRIFee:
		return pickNet(l.riUnusedUp, l.riNetUnusedUp) + pickNet(l.riUnusedRec, l.riNetUnusedRec)
	case ltSPRecurring:
		return l.spTotal - l.spUsed
	case ltFee:
		if l.riARN {
			return 0
		}
	}
	return l.billed()
}

func (l *line) start(p time.Time) time.Time { return p.Add(time.Duration(l.hour) * time.Hour) }

func (l *line) usageType() string {
	if l.ut != nil {
		return l.ut.name
	}
	return ""
}

func (l *line) description() string {
	switch l.typ {
	case ltTax:
		return "Tax for product code " + l.svc
	case ltCredit:
		return "AWS Credit for " + l.svc
	case ltFee:
		if l.riARN {
			return "Reserved capacity upfront fee"
		}
		return "Provisioned throughput commitment fee"
	case ltRIFee:
		return "Reserved capacity monthly fee"
	case ltSPRecurring:
		return "Savings Plan recurring fee"
	case ltSPNegation:
		return "Savings Plan negation of " + l.usageType()
	}
	return l.ut.desc
}

// appendMoney writes v (10^-12 dollars) as exact decimal text: plain, or
// in E-notation below 10^-4 as exports write small costs (8.094e-05).
func appendMoney(b []byte, v int64) []byte {
	if v != 0 && v > -100_000_000 && v < 100_000_000 {
		return strconv.AppendFloat(b, float64(v)/pico, 'e', -1, 64)
	}
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/pico, 10)
	frac := v % pico
	if frac == 0 {
		return b
	}
	var d [12]byte
	for i := 11; i >= 0; i-- {
		d[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := 12
	for d[n-1] == '0' {
		n--
	}
	b = append(b, '.')
	return append(b, d[:n]...)
}

// money returns v as the double nearest to its decimal value. Every
// generated amount has at most 15 significant digits, so the double's
// shortest text is that decimal again.
func money(v int64) float64 {
	if v > -1<<53 && v < 1<<53 {
		return float64(v) / pico // both exact operands, one correctly rounded division
	}
	f, _ := strconv.ParseFloat(string(appendMoney(nil, v)), 64)
	return f
}

// appendQty writes a usage amount (× 1000) as a decimal.
func appendQty(b []byte, q int64) []byte {
	b = strconv.AppendInt(b, q/1000, 10)
	if f := q % 1000; f != 0 {
		b = append(b, '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
	}
	return b
}
