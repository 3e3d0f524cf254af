package awscur

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
)

func TestFloatDecimal(t *testing.T) {
	tests := []struct {
		x    float64
		want string
	}{
		{0.1, "0.1"},
		{0.0104, "0.0104"},
		{8.094e-05, "0.00008094"},
		{10.06, "10.06"},
		{-10.06, "-10.06"},
		{1e21, "1000000000000000000000"},
		{0.30000000000000004, "0.30000000000000004"}, // not the double nearest 0.3: its digits stay
		{0, "0"},
	}
	for _, tc := range tests {
		got, ok, err := floatDecimal(tc.x, 64)
		if err != nil || !ok || !got.Equal(d(tc.want)) {
			t.Errorf("floatDecimal(%v) = %s, %v, %v; want %s", tc.x, got, ok, err, tc.want)
		}
	}
	if got, _, _ := floatDecimal(float64(float32(0.1)), 32); !got.Equal(d("0.1")) {
		t.Errorf("FLOAT 0.1 = %s, want 0.1", got)
	}
	for _, x := range []float64{math.NaN(), math.Inf(1)} {
		if _, _, err := floatDecimal(x, 64); !errors.Is(err, ErrBadValue) {
			t.Errorf("floatDecimal(%v) error = %v, want ErrBadValue", x, err)
		}
	}
}

func TestDecimalColumns(t *testing.T) {
	tests := []struct {
		name string
		val  parquet.Value
		want string
	}{
		{"INT64 DECIMAL(18,10)", parquet.Int64Value(36000000000), "3.6"},
		{"INT64 negative", parquet.Int64Value(-1), "-0.0000000001"},
		{"INT32 DECIMAL", parquet.Int32Value(-12345), "-0.0000012345"},
		{"FIXED_LEN_BYTE_ARRAY positive", parquet.FixedLenByteArrayValue([]byte{0x00, 0x80}), "0.0000000128"},
		{"FIXED_LEN_BYTE_ARRAY -1", parquet.FixedLenByteArrayValue([]byte{0xff, 0xff}), "-0.0000000001"},
		{"BYTE_ARRAY -129", parquet.ByteArrayValue([]byte{0xff, 0x7f}), "-0.0000000129"},
		{"BYTE_ARRAY 2^31", parquet.ByteArrayValue([]byte{0x00, 0x80, 0x00, 0x00, 0x00}), "0.2147483648"},
	}
	for _, tc := range tests {
		c := &pqCol{kind: convDecimal, scale: 10, val: tc.val}
		got, ok, err := c.dec()
		if err != nil || !ok || !got.Equal(d(tc.want)) {
			t.Errorf("%s: %s, %v, %v; want %s", tc.name, got, ok, err, tc.want)
		}
	}
	if _, ok, err := (&pqCol{kind: convDecimal, scale: 10}).dec(); ok || err != nil {
		t.Errorf("null DECIMAL: ok %v err %v, want absent", ok, err)
	}
}

func TestTimeColumns(t *testing.T) {
	want := time.Date(2026, 10, 1, 6, 30, 0, 0, time.UTC)
	sinceMidnight := int64(6*time.Hour + 30*time.Minute)
	tests := []struct {
		name string
		col  pqCol
	}{
		{"TIMESTAMP millis", pqCol{kind: convTimestamp, unit: time.Millisecond, val: parquet.Int64Value(want.UnixMilli())}},
		{"TIMESTAMP micros", pqCol{kind: convTimestamp, unit: time.Microsecond, val: parquet.Int64Value(want.UnixMicro())}},
		{"TIMESTAMP nanos", pqCol{kind: convTimestamp, unit: time.Nanosecond, val: parquet.Int64Value(want.UnixNano())}},
		// Julian day 2461315 is 2026-10-01 (20727 days after 1970-01-01, Julian day 2440588).
		{"INT96", pqCol{kind: convInt96, val: parquet.Int96Value(deprecated.Int96{uint32(sinceMidnight), uint32(sinceMidnight >> 32), 2461315})}},
		{"string", pqCol{kind: convString, val: parquet.ByteArrayValue([]byte("2026-10-01 06:30:00.000"))}},
	}
	for _, tc := range tests {
		got, ok, err := tc.col.time()
		if err != nil || !ok || !got.Equal(want) {
			t.Errorf("%s: %s, %v, %v; want %s", tc.name, got, ok, err, want)
		}
	}
	date := pqCol{kind: convDate, val: parquet.Int32Value(20735)}
	if got, _, _ := date.time(); !got.Equal(time.Date(2026, 10, 9, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("DATE 20735 = %s, want 2026-10-09", got)
	}
	epochMillis := pqCol{kind: convInt, val: parquet.Int64Value(want.UnixMilli())}
	if _, _, err := epochMillis.time(); !errors.Is(err, ErrBadValue) {
		t.Errorf("an integer column read as a date: error = %v, want ErrBadValue", err)
	}
}
