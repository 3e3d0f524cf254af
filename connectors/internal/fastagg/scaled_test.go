package fastagg

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

func TestParseScaled(t *testing.T) {
	tests := []struct {
		in     string
		want   int64
		wantOK bool
	}{
		{"0", 0, true},
		{"-0", 0, true},
		{"1", 10_000_000_000, true},
		{"0.1", 1_000_000_000, true},
		{"-1.25", -12_500_000_000, true},
		{"0.0000000001", 1, true},
		{"0.00000000010000", 1, true}, // trailing zeros beyond the scale are fine
		{"0.00000000001", 0, false},   // 11 fractional digits
		{"8.094e-05", 809_400, true},  // E-notation
		{"8.094E-05", 809_400, true},  //
		{"1.5e+3", 15_000_000_000_000, true},
		{"12e-12", 0, false}, // 1.2e-11
		{"100e-12", 1, true}, // 1e-10
		{"922337203.6854775807", math.MaxInt64, true},
		{"922337203.6854775808", 0, false}, // overflows
		{"-922337203.6854775808", math.MinInt64, true},
		{"123456789012345678901234567890", 0, false},
		{"0.000000000000000000000000000000", 0, true},
		{"+1", 0, false}, // slow path decides
		{".5", 0, false},
		{"1.", 0, false},
		{"1.e5", 0, false},
		{"1e", 0, false},
		{"e5", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{" 1", 0, false},
		{"1,000", 0, false},
		{"NULL", 0, false},
		{"1.2.3", 0, false},
	}
	for _, tc := range tests {
		got, ok := ParseScaled(tc.in)
		if ok != tc.wantOK || (ok && got != tc.want) {
			t.Errorf("ParseScaled(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

// decimalText draws decimal text of the shapes bills use: plain, long
// fractions, E-notation, negatives and huge values.
func decimalText() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		var b strings.Builder
		if rapid.Bool().Draw(t, "neg") {
			b.WriteByte('-')
		}
		intDigits := rapid.IntRange(1, 25).Draw(t, "int")
		for i := 0; i < intDigits; i++ {
			b.WriteByte(byte('0' + rapid.IntRange(0, 9).Draw(t, "d")))
		}
		if fd := rapid.IntRange(0, 16).Draw(t, "frac"); fd > 0 {
			b.WriteByte('.')
			for i := 0; i < fd; i++ {
				b.WriteByte(byte('0' + rapid.IntRange(0, 9).Draw(t, "f")))
			}
		}
		if rapid.IntRange(0, 3).Draw(t, "hasexp") == 0 {
			b.WriteString(rapid.SampledFrom([]string{"e", "E"}).Draw(t, "e"))
			b.WriteString(rapid.SampledFrom([]string{"", "+", "-"}).Draw(t, "es"))
			b.WriteString(strconv.Itoa(rapid.IntRange(0, 30).Draw(t, "exp")))
		}
		return b.String()
	})
}

// TestParseScaledProperty: whenever ParseScaled accepts text, the value is
// exactly what shopspring/decimal reads; whenever the text's value fits
// ten fractional digits and an int64, ParseScaled accepts it.
func TestParseScaledProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := decimalText().Draw(t, "s")
		want, err := decimal.NewFromString(s)
		if err != nil {
			t.Fatalf("decimal cannot read %q: %v", s, err)
		}
		got, ok := ParseScaled(s)
		scaled := want.Shift(Scale)
		fits := scaled.Equal(scaled.Truncate(0)) && scaled.Coefficient().IsInt64() && scaled.Truncate(0).BigInt().IsInt64()
		if ok {
			if g := ScaledDecimal(got); !g.Equal(want) {
				t.Fatalf("ParseScaled(%q) = %s, decimal says %s", s, g, want)
			}
		} else if fits && !strings.HasPrefix(s, "+") {
			t.Fatalf("ParseScaled(%q) refused a value that fits: %s", s, want)
		}
	})
}

// TestParseScaledNeverAcceptsGarbage: random byte strings are either
// refused or read exactly as shopspring/decimal reads them.
func TestParseScaledNeverAcceptsGarbage(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.StringOf(rapid.SampledFrom([]rune("0123456789.-+eE x"))).Draw(t, "s")
		got, ok := ParseScaled(s)
		if !ok {
			return
		}
		want, err := decimal.NewFromString(s)
		if err != nil {
			t.Fatalf("ParseScaled(%q) accepted text decimal refuses: %v", s, err)
		}
		if !ScaledDecimal(got).Equal(want) {
			t.Fatalf("ParseScaled(%q) = %s, want %s", s, ScaledDecimal(got), want)
		}
	})
}

func shortest(x float64) decimal.Decimal {
	return decimal.RequireFromString(strconv.FormatFloat(x, 'g', -1, 64))
}

var pointOne = 0.1 // a variable: 0.1 + 0.2 as constants is exactly 0.3

func TestFromFloat64(t *testing.T) {
	tests := []struct {
		x      float64
		wantOK bool
	}{
		{0.1, true}, {0.3, true}, {pointOne + 0.2, false}, {8.094e-05, true}, {1.2e-11, false},
		{-262143.9999999999, true}, {262144, false}, {math.NaN(), false}, {math.Inf(1), false},
		{123456.7890123456, true}, {0, true}, {math.Copysign(0, -1), true},
	}
	for _, tc := range tests {
		v, ok := FromFloat64(tc.x)
		if ok != tc.wantOK {
			t.Errorf("FromFloat64(%v) ok = %v, want %v", tc.x, ok, tc.wantOK)
			continue
		}
		if ok && !ScaledDecimal(v).Equal(shortest(tc.x)) {
			t.Errorf("FromFloat64(%v) = %s, want %s", tc.x, ScaledDecimal(v), shortest(tc.x))
		}
	}
}

// TestFromFloat64Property: the fast conversion agrees with the shortest
// round-trip text for decimals of up to 12 fractional digits near every
// magnitude a bill line has, and for arbitrary doubles.
func TestFromFloat64Property(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := drawDouble(t)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		want := shortest(x)
		if v, ok := FromFloat64(x); ok {
			if !ScaledDecimal(v).Equal(want) {
				t.Fatalf("FromFloat64(%v) = %s, want %s", x, ScaledDecimal(v), want)
			}
		} else if math.Abs(x) < floatLimit && want.Exponent() >= -Scale {
			t.Fatalf("FromFloat64(%v) refused %s, which has at most ten fractional digits", x, want)
		}
		if got := FloatDecimal(x, 64); !got.Equal(want) {
			t.Fatalf("FloatDecimal(%v) = %s, want %s", x, got, want)
		}
	})
}

// TestFastScaledProperty: the inline conversion of the Parquet reader
// agrees with the shortest round-trip text whenever it accepts a double,
// and accepts every double FromFloat64 accepts below 2^51 / 10^10.
func TestFastScaledProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := drawDouble(t)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		v, ok := fastScaled(x)
		if ok && !ScaledDecimal(v).Equal(shortest(x)) {
			t.Fatalf("fastScaled(%v) = %s, want %s", x, ScaledDecimal(v), shortest(x))
		}
		if _, want := FromFloat64(x); want && !ok && math.Abs(x) < (1<<51)/1e10 {
			t.Fatalf("fastScaled(%v) refused what FromFloat64 reads", x)
		}
	})
}

func TestInt128(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		vals := rapid.SliceOf(rapid.Int64()).Draw(t, "v")
		var a Int128
		want := new(big.Int)
		for _, v := range vals {
			a.AddInt64(v)
			want.Add(want, big.NewInt(v))
		}
		var b Int128 // the same sum, split in two and merged
		var c Int128
		for i, v := range vals {
			if i%2 == 0 {
				b.AddInt64(v)
			} else {
				c.AddInt64(v)
			}
		}
		b.Add(c)
		if a.Big().Cmp(want) != 0 || b.Big().Cmp(want) != 0 {
			t.Fatalf("sum = %s / %s, want %s", a.Big(), b.Big(), want)
		}
		if !a.Decimal(Scale).Equal(decimal.NewFromBigInt(want, -Scale)) {
			t.Fatalf("Decimal = %s, want %s", a.Decimal(Scale), decimal.NewFromBigInt(want, -Scale))
		}
	})
}

func TestFromDecimalAndRescale(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := decimalText().Draw(t, "s")
		d := decimal.RequireFromString(s)
		if v, ok := FromDecimal(d); ok && !ScaledDecimal(v).Equal(d) {
			t.Fatalf("FromDecimal(%s) = %s", d, ScaledDecimal(v))
		}
		u := rapid.Int64().Draw(t, "u")
		sc := int32(rapid.IntRange(0, 20).Draw(t, "scale"))
		if v, ok := RescaleInt(u, sc); ok && !ScaledDecimal(v).Equal(decimal.New(u, -sc)) {
			t.Fatalf("RescaleInt(%d, %d) = %s", u, sc, ScaledDecimal(v))
		}
	})
}

// drawDouble draws a decimal of up to 14 fractional digits near any
// magnitude a bill line has, or any double at all (NaN and infinities
// included: the caller skips them).
func drawDouble(t *rapid.T) float64 {
	if rapid.Bool().Draw(t, "decimal") {
		n := rapid.Int64Range(-1<<53, 1<<53).Draw(t, "n")
		e := rapid.IntRange(0, 14).Draw(t, "e")
		x, _ := strconv.ParseFloat(strconv.FormatInt(n, 10)+"e-"+strconv.Itoa(e), 64)
		return x
	}
	return math.Float64frombits(rapid.Uint64().Draw(t, "bits"))
}
