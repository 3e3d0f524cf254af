package pqvalue

import (
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
)

func TestText(t *testing.T) {
	dec := func(scale, precision int, typ parquet.Type) parquet.Type {
		return parquet.Decimal(scale, precision, typ).Type()
	}
	ts := time.Date(2026, 10, 1, 12, 30, 0, 5_000_000, time.UTC)
	for _, tc := range []struct {
		name string
		t    parquet.Type
		v    parquet.Value
		want string
	}{
		{"null", parquet.String().Type(), parquet.Value{}, ""},
		{"string", parquet.String().Type(), parquet.ByteArrayValue([]byte("Azure OpenAI")), "Azure OpenAI"},
		{"int32", parquet.Int32Type, parquet.Int32Value(-7), "-7"},
		{"int64", parquet.Int64Type, parquet.Int64Value(1 << 40), "1099511627776"},
		{"bool", parquet.BooleanType, parquet.BooleanValue(true), "true"},
		{"double, shortest text, no exponent", parquet.DoubleType, parquet.DoubleValue(8.094e-05), "0.00008094"},
		{"double 0.1", parquet.DoubleType, parquet.DoubleValue(0.1), "0.1"},
		{"float", parquet.FloatType, parquet.FloatValue(0.25), "0.25"},
		{"decimal int64", dec(4, 18, parquet.Int64Type), parquet.Int64Value(-123456), "-12.3456"},
		{"decimal int32", dec(2, 9, parquet.Int32Type), parquet.Int32Value(1050), "10.5"},
		{"decimal bytes, negative", dec(10, 38, parquet.FixedLenByteArrayType(16)),
			parquet.FixedLenByteArrayValue([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}), "-0.0000000002"},
		{"timestamp ms", parquet.Timestamp(parquet.Millisecond).Type(), parquet.Int64Value(ts.UnixMilli()), "2026-10-01T12:30:00.005Z"},
		{"timestamp us", parquet.Timestamp(parquet.Microsecond).Type(), parquet.Int64Value(ts.UnixMicro()), "2026-10-01T12:30:00.005Z"},
		{"date", parquet.Date().Type(), parquet.Int32Value(int32(ts.Unix() / 86400)), "2026-10-01"},
		{"int96", parquet.Int96Type, parquet.Int96Value(deprecated.Int96{uint32(45000_000_000_000 & 0xffffffff), uint32(45000_000_000_000 >> 32), 2440588 + 1}), "1970-01-02T12:30:00Z"},
	} {
		got, err := Text(tc.t, tc.v)
		if err != nil || got != tc.want {
			t.Errorf("%s: Text = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	for _, x := range []float64{math.NaN(), math.Inf(1)} {
		if got, err := Text(parquet.DoubleType, parquet.DoubleValue(x)); err == nil {
			t.Errorf("Text(%v) = %q, want an error", x, got)
		}
	}
}

func TestTwosComplement(t *testing.T) {
	for _, tc := range []struct {
		b    []byte
		want string
	}{
		{nil, "0"}, {[]byte{0x00}, "0"}, {[]byte{0x7f}, "127"}, {[]byte{0x80}, "-128"}, {[]byte{0xff}, "-1"},
		{[]byte{0x01, 0x00}, "256"}, {[]byte{0xff, 0x00}, "-256"},
	} {
		if got := TwosComplement(tc.b).String(); got != tc.want {
			t.Errorf("TwosComplement(% x) = %s, want %s", tc.b, got, tc.want)
		}
	}
}

func TestGuard(t *testing.T) {
	n, err := Guard(func() (int, error) { return 3, io.EOF })
	if n != 3 || err != io.EOF {
		t.Fatalf("Guard passed on %d, %v; want 3, EOF", n, err)
	}
	n, err = Guard(func() (int, error) {
		var s []int
		return s[1], nil
	})
	if n != 0 || !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "index out of range") {
		t.Fatalf("Guard of a panic = %d, %v; want 0 and ErrDamaged naming the panic", n, err)
	}
}
