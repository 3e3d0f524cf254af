package fastagg

import (
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// textLeaf checks a leaf holds text: BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY
// that is not a DECIMAL; size is the fixed width.
func textLeaf(t parquet.Type) (size int, err error) {
	if lt := t.LogicalType(); lt != nil {
		if _, dec := lt.Value.(*format.DecimalType); dec {
			return 0, ErrUnsupported
		}
	}
	switch t.Kind() {
	case parquet.ByteArray:
		return 0, nil
	case parquet.FixedLenByteArray:
		return t.Length(), nil
	}
	return 0, ErrUnsupported
}

// numLeaf checks a leaf holds numbers: DOUBLE, FLOAT, INT32/INT64 (plain
// or DECIMAL) or a DECIMAL in bytes.
func numLeaf(t parquet.Type) (numConv, int32, error) {
	var scale int32
	isDec := false
	if lt := t.LogicalType(); lt != nil {
		switch v := lt.Value.(type) {
		case *format.DecimalType:
			scale, isDec = v.Scale, true
		case *format.IntType:
		default:
			return 0, 0, ErrUnsupported
		}
	}
	switch t.Kind() {
	case parquet.Double:
		return ncDouble, 0, nil
	case parquet.Float:
		return ncFloat, 0, nil
	case parquet.Int32, parquet.Int64:
		return ncInt, scale, nil
	case parquet.ByteArray, parquet.FixedLenByteArray:
		if isDec {
			return ncDecBytes, scale, nil
		}
	}
	return 0, 0, ErrUnsupported
}

// timeLeaf checks a leaf holds instants: TIMESTAMP (any unit), DATE or
// INT96; unit is nanoseconds per unit, 0 for DATE, -1 for INT96.
func timeLeaf(t parquet.Type) (unit int64, err error) {
	if t.Kind() == parquet.Int96 {
		return -1, nil
	}
	lt := t.LogicalType()
	if lt == nil {
		return 0, ErrUnsupported
	}
	switch v := lt.Value.(type) {
	case *format.DateType:
		if t.Kind() == parquet.Int32 {
			return 0, nil
		}
	case *format.TimestampType:
		if t.Kind() == parquet.Int64 && v.Unit.Value != nil {
			return int64(v.Unit.Value.Duration()), nil
		}
	}
	return 0, ErrUnsupported
}
