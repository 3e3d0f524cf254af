package rules

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// FX is an exchange rate table: one rate per (period, from, to), read from a
// CSV file with the header period,from,to,rate. Converting an amount
// multiplies it by the rate; the converted amount keeps every digit (it is
// rounded once, with everything else, when the allocation is rounded).
type FX struct {
	File  string
	rates map[fxKey]decimal.Decimal
}

type fxKey struct {
	period   cost.Period
	from, to string
}

// LoadFX reads a rate table. A missing file, a bad header, a bad period,
// currency or rate, or a duplicate row is an error naming file and line.
func LoadFX(path string) (*FX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("rules: exchange rates: %w", err)
	}
	defer f.Close()
	return ParseFX(f, path)
}

// ParseFX reads a rate table from r; file names it in errors.
func ParseFX(r io.Reader, file string) (*FX, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 4
	fx := &FX{File: file, rates: map[fxKey]decimal.Decimal{}}
	header, err := cr.Read()
	if err != nil {
		return nil, &FieldError{File: file, Line: 1, Err: fmt.Errorf("%w: want the header period,from,to,rate: %v", ErrInvalid, err)}
	}
	for i, want := range []string{"period", "from", "to", "rate"} {
		if strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))) != want {
			return nil, &FieldError{File: file, Line: 1, Err: fmt.Errorf("%w: want the header period,from,to,rate, found %s", ErrInvalid, strings.Join(header, ","))}
		}
	}
	var errs Errors
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil { // a malformed record: no fields to ask the line of
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line, err = pe.StartLine, pe.Err
			}
			return nil, &FieldError{File: file, Line: line, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
		}
		line, _ := cr.FieldPos(0)
		p, err := cost.ParsePeriod(rec[0])
		if err != nil {
			errs = append(errs, &FieldError{File: file, Line: line, Path: "period", Err: fmt.Errorf("%w: %v", ErrInvalid, err)})
			continue
		}
		from, to := strings.TrimSpace(rec[1]), strings.TrimSpace(rec[2])
		if !cost.ValidCurrency(from) || !cost.ValidCurrency(to) {
			errs = append(errs, &FieldError{File: file, Line: line, Path: "from/to", Err: fmt.Errorf("%w: %q to %q; want ISO 4217 codes such as EUR", ErrInvalid, from, to)})
			continue
		}
		var rate Amount
		if err := rate.decodeScalar(rec[3]); err != nil || !rate.IsPositive() {
			errs = append(errs, &FieldError{File: file, Line: line, Path: "rate", Err: fmt.Errorf("%w: %q; a rate is a positive number", ErrInvalid, rec[3])})
			continue
		}
		k := fxKey{p, from, to}
		if _, dup := fx.rates[k]; dup {
			errs = append(errs, &FieldError{File: file, Line: line, Err: fmt.Errorf("%w: a second rate for %s %s→%s", ErrDuplicate, p, from, to)})
			continue
		}
		fx.rates[k] = rate.Decimal
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return fx, nil
}

// Rate returns the rate that converts from into to in period p. The same
// currency converts at 1.
func (fx *FX) Rate(p cost.Period, from, to string) (decimal.Decimal, error) {
	if from == to {
		return decimal.NewFromInt(1), nil
	}
	if fx == nil {
		return decimal.Zero, fmt.Errorf("%w: a line is billed in %s but the corporate currency is %s and no fx: file is configured; add fx: file:fx.csv with a row %s,%s,%s,RATE", ErrNoRate, from, to, p, from, to)
	}
	r, ok := fx.rates[fxKey{p, from, to}]
	if !ok {
		return decimal.Zero, fmt.Errorf("%w: %s has no rate for %s→%s in %s; add a row %s,%s,%s,RATE", ErrNoRate, fx.File, from, to, p, p, from, to)
	}
	return r, nil
}
