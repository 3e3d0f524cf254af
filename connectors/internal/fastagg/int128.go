package fastagg

import (
	"math/big"
	"math/bits"

	"github.com/shopspring/decimal"
)

// Int128 is a signed 128-bit integer in two's complement: the accumulator
// of scaled amounts. Summing int64 values into it cannot overflow before
// 2^63 additions.
type Int128 struct {
	Lo uint64
	Hi uint64 // high word; its top bit is the sign
}

// AddInt64 adds v.
func (a *Int128) AddInt64(v int64) {
	lo, c := bits.Add64(a.Lo, uint64(v), 0)
	a.Hi += uint64(v>>63) + c // v>>63 sign-extends v into the high word
	a.Lo = lo
}

// Add adds b.
func (a *Int128) Add(b Int128) {
	lo, c := bits.Add64(a.Lo, b.Lo, 0)
	a.Hi += b.Hi + c
	a.Lo = lo
}

// IsZero reports whether a is 0.
func (a Int128) IsZero() bool { return a.Lo == 0 && a.Hi == 0 }

// Big returns a as a big.Int.
func (a Int128) Big() *big.Int {
	neg := int64(a.Hi) < 0
	lo, hi := a.Lo, a.Hi
	if neg { // two's complement negation
		lo = ^lo + 1
		hi = ^hi
		if lo == 0 {
			hi++
		}
	}
	x := new(big.Int).SetUint64(hi)
	x.Lsh(x, 64)
	x.Or(x, new(big.Int).SetUint64(lo))
	if neg {
		x.Neg(x)
	}
	return x
}

// Decimal returns a × 10^-scale exactly.
func (a Int128) Decimal(scale int32) decimal.Decimal {
	if int64(a.Hi) == int64(a.Lo)>>63 { // fits in an int64
		return decimal.New(int64(a.Lo), -scale)
	}
	return decimal.NewFromBigInt(a.Big(), -scale)
}
