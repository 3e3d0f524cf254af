package fastagg

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/shopspring/decimal"
)

// Scale is the number of fractional digits of a scaled amount: an amount
// x is held as the integer x × 10^Scale. Cloud bills carry up to 10
// fractional digits; anything finer takes the exact slow path.
const Scale = 10

// pow10 holds 10^0 … 10^18.
var pow10 = func() (p [19]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// ParseScaled reads decimal text — an optional minus sign, digits, an
// optional '.' followed by digits and an optional exponent (8.094e-05) —
// as an integer number of 10^-Scale units. ok is false when the text is
// not of that form (a plus sign, spaces, "NULL", "1." …), has a non-zero
// digit beyond Scale fractional digits, or does not fit an int64; the
// caller then parses the text exactly with shopspring/decimal, which also
// decides whether the text is a number at all. ParseScaled never rounds.
func ParseScaled[S ~string | ~[]byte](s S) (v int64, ok bool) {
	i, n := 0, len(s)
	neg := false
	if i < n && s[i] == '-' {
		neg = true
		i++
	}
	var m uint64   // significant digits read so far
	zeros := 0     // zero digits seen after the last non-zero digit, not yet in m
	frac := 0      // digits after the point
	digits := 0    // mantissa digits
	point := false // a '.' was seen
	for ; i < n; i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			digits++
			if point {
				frac++
			}
			if c == '0' {
				zeros++
				continue
			}
			for ; zeros > 0; zeros-- { // put the pending zeros into m
				if m > math.MaxUint64/10 {
					return 0, false
				}
				m *= 10
			}
			if m > (math.MaxUint64-uint64(c-'0'))/10 {
				return 0, false
			}
			m = m*10 + uint64(c-'0')
			continue
		}
		if c == '.' && !point {
			if digits == 0 { // ".5" goes to the slow path
				return 0, false
			}
			point = true
			if i+1 >= n || s[i+1] < '0' || s[i+1] > '9' { // "1." or "1.e5"
				return 0, false
			}
			continue
		}
		break
	}
	if digits == 0 {
		return 0, false
	}
	exp := 0
	if i < n {
		if s[i] != 'e' && s[i] != 'E' {
			return 0, false
		}
		i++
		eneg := false
		if i < n && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		if i >= n {
			return 0, false
		}
		for ; i < n; i++ {
			c := s[i]
			if c < '0' || c > '9' || exp > 999 { // a huge exponent goes to the slow path
				return 0, false
			}
			exp = exp*10 + int(c-'0')
		}
		if eneg {
			exp = -exp
		}
	}
	if m == 0 {
		return 0, true
	}
	// value = m × 10^(zeros + exp - frac); scaled = value × 10^Scale.
	shift := zeros + exp - frac + Scale
	switch {
	case shift > 0:
		if shift > 18 {
			return 0, false
		}
		hi, lo := bits.Mul64(m, uint64(pow10[shift]))
		if hi != 0 {
			return 0, false
		}
		m = lo
	case shift < 0: // only trailing zeros may be dropped, and m has none
		return 0, false
	}
	if neg {
		if m > 1<<63 {
			return 0, false
		}
		return -int64(m), true
	}
	if m > math.MaxInt64 {
		return 0, false
	}
	return int64(m), true
}

// floatLimit bounds the fast conversion of a float64: below 2^18 a double
// is closer to its neighbours than 10^-Scale, so at most one decimal with
// Scale fractional digits reads back as it (see FromFloat64).
const floatLimit = 1 << 18

// FromFloat64 converts x to scaled units exactly as the decimal its
// shortest round-trip text (strconv.FormatFloat(x, 'g', -1, 64)) denotes.
// ok is false when that decimal has more than Scale fractional digits, or
// |x| ≥ 2^18, or x is not finite: the caller then takes FloatDecimal.
//
// Why it is exact: for |x| < 2^18 the spacing of doubles near x is below
// 2^-35 < 10^-10, so at most one decimal n×10^-10 reads back as x. When
// the shortest text of x has at most ten fractional digits it is that
// decimal, and round(x×10^10) finds n (the two rounding errors add up to
// less than 0.4). The check float64(n)/10^10 == x (a correctly rounded
// division) proves that n×10^-10 reads back as x, so n is the one.
func FromFloat64(x float64) (int64, bool) {
	if !(x > -floatLimit && x < floatLimit) {
		return 0, false
	}
	n := int64(math.Round(x * 1e10))
	if float64(n)/1e10 != x {
		return 0, false
	}
	return n, true
}

// FloatDecimal returns the decimal that the shortest round-trip text of x
// denotes, the slow path of FromFloat64. x must be finite.
func FloatDecimal(x float64, bitSize int) decimal.Decimal {
	var buf [32]byte
	txt := strconv.AppendFloat(buf[:0], x, 'g', -1, bitSize)
	if v, ok := ParseScaled(txt); ok {
		return decimal.New(v, -Scale)
	}
	d, err := decimal.NewFromString(string(txt))
	if err != nil { // FormatFloat writes only what NewFromString reads
		panic("fastagg: cannot read " + string(txt) + ": " + err.Error())
	}
	return d
}

// FromDecimal converts d to scaled units when that is exact and fits an
// int64.
func FromDecimal(d decimal.Decimal) (int64, bool) {
	exp := d.Exponent()
	c := d.Coefficient()
	if !c.IsInt64() {
		return 0, false
	}
	return RescaleInt(c.Int64(), -exp)
}

// ScaledDecimal returns v × 10^-Scale.
func ScaledDecimal(v int64) decimal.Decimal { return decimal.New(v, -Scale) }

// RescaleInt converts v × 10^-scale (a Parquet DECIMAL's unscaled value)
// to scaled units when that is exact and fits.
func RescaleInt(v int64, scale int32) (int64, bool) {
	shift := Scale - int(scale)
	switch {
	case shift == 0:
		return v, true
	case shift > 0:
		if shift > 18 {
			return 0, v == 0
		}
		p := pow10[shift]
		if v > math.MaxInt64/p || v < math.MinInt64/p {
			return 0, false
		}
		return v * p, true
	default:
		if -shift > 18 {
			return 0, v == 0
		}
		p := pow10[-shift]
		if v%p != 0 {
			return 0, false
		}
		return v / p, true
	}
}

// BigDecimal returns v × 10^-scale for a big unscaled value.
func BigDecimal(v *big.Int, scale int32) decimal.Decimal { return decimal.NewFromBigInt(v, -scale) }
