// Package pqvalue turns Parquet values into the values and text the
// connectors read, for the readers of Parquet exports (AWS, Azure, FOCUS).
package pqvalue

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
	"github.com/shopspring/decimal"
)

// Text is the text a CSV file would hold for value v of type t:
// numbers as plain decimals (a DOUBLE as the shortest decimal that reads
// back as it), DECIMALs exactly, timestamps in RFC 3339 (UTC), dates as
// YYYY-MM-DD, null as empty.
func Text(t parquet.Type, v parquet.Value) (string, error) {
	if v.IsNull() {
		return "", nil
	}
	if lt := t.LogicalType(); lt != nil {
		switch l := lt.Value.(type) {
		case *format.DecimalType:
			var unscaled *big.Int
			switch t.Kind() {
			case parquet.Int32:
				unscaled = big.NewInt(int64(v.Int32()))
			case parquet.Int64:
				unscaled = big.NewInt(v.Int64())
			default:
				unscaled = TwosComplement(v.ByteArray())
			}
			return decimal.NewFromBigInt(unscaled, -l.Scale).String(), nil
		case *format.TimestampType:
			if l.Unit.Value == nil {
				return "", errors.New("TIMESTAMP without a unit")
			}
			u := int64(l.Unit.Value.Duration())
			n := v.Int64()
			if n > math.MaxInt64/u || n < math.MinInt64/u {
				return "", fmt.Errorf("timestamp %d is out of range", n)
			}
			return time.Unix(0, n*u).UTC().Format(time.RFC3339Nano), nil
		case *format.DateType:
			return time.Unix(int64(v.Int32())*86400, 0).UTC().Format(time.DateOnly), nil
		}
	}
	switch t.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return string(v.ByteArray()), nil
	case parquet.Int32:
		return strconv.FormatInt(int64(v.Int32()), 10), nil
	case parquet.Int64:
		return strconv.FormatInt(v.Int64(), 10), nil
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean()), nil
	case parquet.Double, parquet.Float:
		x, bits := v.Double(), 64
		if t.Kind() == parquet.Float {
			x, bits = float64(v.Float()), 32
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", fmt.Errorf("%v is not a number", x)
		}
		return strconv.FormatFloat(x, 'f', -1, bits), nil
	case parquet.Int96:
		return Int96Time(v.Int96()).Format(time.RFC3339Nano), nil
	}
	return "", fmt.Errorf("unsupported Parquet type %s", t)
}

// TwosComplement reads a big-endian two's-complement integer, the unscaled
// value of a BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY DECIMAL.
func TwosComplement(b []byte) *big.Int {
	x := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(len(b)*8)))
	}
	return x
}

// julianUnixEpoch is the Julian day number of 1970-01-01.
const julianUnixEpoch = 2440588

// Int96Time is the instant of a legacy INT96 timestamp (nanoseconds of the
// day, then the Julian day), in UTC.
func Int96Time(i deprecated.Int96) time.Time {
	nanos := int64(uint64(i[1])<<32 | uint64(i[0]))
	days := int64(i[2]) - julianUnixEpoch
	return time.Unix(days*86400, nanos).UTC()
}

// ErrDamaged: parquet-go panicked reading a page. It trusts some of a
// file's contents (a dictionary index beyond the dictionary indexes out of
// range), so a damaged file would otherwise crash the program.
var ErrDamaged = errors.New("the Parquet reader failed on a damaged page")

// Guard runs read, one call into parquet-go's readers, and turns a panic
// into ErrDamaged (and the zero value).
func Guard[T any](read func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			var zero T
			v, err = zero, fmt.Errorf("%w (%v)", ErrDamaged, p)
		}
	}()
	return read()
}
