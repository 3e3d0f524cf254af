package rules

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/allot-dev/allot/cost"
	"github.com/shopspring/decimal"
)

// PriceList is a quarter's published per-action prices (SPEC §4): for each
// action class the base b, the overhead O = o·b, the registry part
// R = r·O and the buffer surcharge F = f·(b+O+R), each rounded to 6
// decimals half away from zero, in that order, from the rounded parts
// before it; the price is p = b+O+R+F.
//
// Worked example (o=0.15, r=0.03, f=0.04, b=0.012):
//
//	O = 0.0018, R = 0.000054, F = 0.04·0.013854 = 0.00055416 → 0.000554,
//	p = 0.012 + 0.0018 + 0.000054 + 0.000554 = 0.014408
type PriceList struct {
	Quarter      cost.Quarter
	Currency     string
	OverheadRate decimal.Decimal
	RegistryRate decimal.Decimal
	BufferRate   decimal.Decimal
	Lookback     string // the look-back window it was computed from, if published by allot
	Classes      map[string]ClassPrice
	File         string
	Raw          []byte // the file's content, for the run's fingerprint
}

// ClassPrice is one class's price and its parts.
type ClassPrice struct {
	Base, Overhead, Registry, Buffer, Price decimal.Decimal
}

// DerivePrice computes a class's parts from its base and the rates.
func DerivePrice(base, o, r, f decimal.Decimal) ClassPrice {
	b := base.Round(cost.PricePlaces)
	O := o.Mul(b).Round(cost.PricePlaces)
	R := r.Mul(O).Round(cost.PricePlaces)
	F := f.Mul(b.Add(O).Add(R)).Round(cost.PricePlaces)
	return ClassPrice{Base: b, Overhead: O, Registry: R, Buffer: F, Price: b.Add(O).Add(R).Add(F)}
}

// priceListFile is the file layout.
type priceListFile struct {
	Quarter      cost.Quarter          `yaml:"quarter"`
	Currency     string                `yaml:"currency"`
	OverheadRate *Amount               `yaml:"overhead_rate"`
	RegistryRate *Amount               `yaml:"registry_rate"`
	BufferRate   *Amount               `yaml:"buffer_rate"`
	Lookback     string                `yaml:"lookback"`
	Classes      map[string]classEntry `yaml:"classes"`
}

type classEntry struct {
	Base     *Amount `yaml:"base"`
	Overhead *Amount `yaml:"overhead"`
	Registry *Amount `yaml:"registry"`
	Buffer   *Amount `yaml:"buffer"`
	Price    *Amount `yaml:"price"`
}

// LoadPriceList reads the price list file at path and checks it against
// the configuration: its quarter must be q, its currency the corporate
// currency, and it must price every action class. Derived parts written in
// the file must equal the ones its base and rates give (a person may edit
// the base before the quarter starts and delete the derived parts).
func (c *Config) LoadPriceList(path string, q cost.Quarter) (*PriceList, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rules: price list for %s: %w (publish one with: allot prices publish --quarter %s)", q, err, q)
	}
	return ParsePriceList(data, path, q, c.Currency, c.ActionClasses)
}

// ParsePriceList decodes and checks a price list; see LoadPriceList.
func ParsePriceList(data []byte, file string, q cost.Quarter, currency string, classes []string) (*PriceList, error) {
	root, err := parseYAML(file, data)
	if err != nil {
		return nil, Errors{err.(*FieldError)}
	}
	var f priceListFile
	d := newDecoder(file)
	if root.kind != kindMapping {
		return nil, Errors{{File: file, Line: root.line, Err: fmt.Errorf("%w: a price list is a mapping with quarter, currency, rates and classes", ErrType)}}
	}
	d.decode(root, "", reflect.ValueOf(&f).Elem())
	v := &validator{c: &Config{File: file, pos: d.pos}}
	v.errs = d.errs
	if len(v.errs) > 0 {
		return nil, v.errs.sorted()
	}
	pl := &PriceList{Quarter: f.Quarter, Currency: f.Currency, Lookback: f.Lookback, Classes: map[string]ClassPrice{}, File: file, Raw: data}
	if f.Quarter.IsZero() {
		v.at("quarter", fmt.Errorf("%w: the quarter the list is for, e.g. 2026Q4", ErrRequired))
	} else if f.Quarter != q {
		v.at("quarter", fmt.Errorf("%w: the file is for %s but the period is in %s; publish one with: allot prices publish --quarter %s", ErrQuarter, f.Quarter, q, q))
	}
	if f.Currency == "" {
		v.at("currency", fmt.Errorf("%w", ErrRequired))
	} else if f.Currency != currency {
		v.at("currency", fmt.Errorf("%w: %s, but the corporate currency is %s", ErrInvalid, f.Currency, currency))
	}
	rate := func(path string, a *Amount) decimal.Decimal {
		if a == nil {
			v.at(path, fmt.Errorf("%w: the rate the derived parts were computed with", ErrRequired))
			return decimal.Zero
		}
		if a.IsNegative() || a.GreaterThan(decimal.NewFromInt(1)) {
			v.at(path, fmt.Errorf("%w: %s; a rate is a fraction from 0 to 1", ErrOutOfRange, a))
		}
		return a.Decimal
	}
	pl.OverheadRate = rate("overhead_rate", f.OverheadRate)
	pl.RegistryRate = rate("registry_rate", f.RegistryRate)
	pl.BufferRate = rate("buffer_rate", f.BufferRate)
	names := make([]string, 0, len(f.Classes))
	for n := range f.Classes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		e := f.Classes[name]
		p := "classes." + name
		if !contains(classes, name) {
			v.at(p, fmt.Errorf("%w: %q is not in the configuration's action_classes", ErrInvalid, name))
			continue
		}
		if e.Base == nil {
			v.at(p+".base", fmt.Errorf("%w: the base cost of one action", ErrRequired))
			continue
		}
		if e.Base.IsNegative() {
			v.at(p+".base", fmt.Errorf("%w: %s", ErrNegative, e.Base))
			continue
		}
		if e.Base.Exponent() < -cost.PricePlaces && !e.Base.Equal(e.Base.Round(cost.PricePlaces)) {
			v.at(p+".base", fmt.Errorf("%w: %s has more than %d decimals; a published price has at most %d", ErrInvalid, e.Base, cost.PricePlaces, cost.PricePlaces))
			continue
		}
		cp := DerivePrice(e.Base.Decimal, pl.OverheadRate, pl.RegistryRate, pl.BufferRate)
		for _, chk := range []struct {
			key  string
			got  *Amount
			want decimal.Decimal
		}{{"overhead", e.Overhead, cp.Overhead}, {"registry", e.Registry, cp.Registry}, {"buffer", e.Buffer, cp.Buffer}, {"price", e.Price, cp.Price}} {
			if chk.got != nil && !chk.got.Equal(chk.want) {
				v.at(p+"."+chk.key, fmt.Errorf("%w: %s does not follow from base %s and the rates (want %s); fix it or delete the derived parts and let allot compute them", ErrInvalid, chk.got, e.Base, chk.want))
			}
		}
		pl.Classes[name] = cp
	}
	for _, cl := range classes {
		if _, ok := f.Classes[cl]; !ok {
			v.at("classes", fmt.Errorf("%w: no price for action class %q", ErrRequired, cl))
		}
	}
	if len(v.errs) > 0 {
		return nil, v.errs.sorted()
	}
	return pl, nil
}

// Encode writes the price list file, with every derived part, classes in
// the order given.
func (pl *PriceList) Encode(classes []string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Published by allot. Edit a base before the quarter starts and delete the\n# derived parts (overhead, registry, buffer, price) to have them recomputed.\n")
	fmt.Fprintf(&b, "quarter: %s\ncurrency: %s\n", pl.Quarter, pl.Currency)
	fmt.Fprintf(&b, "overhead_rate: %s\nregistry_rate: %s\nbuffer_rate: %s\n", pl.OverheadRate, pl.RegistryRate, pl.BufferRate)
	if pl.Lookback != "" {
		fmt.Fprintf(&b, "lookback: %s\n", pl.Lookback)
	}
	b.WriteString("classes:\n")
	width := 0
	for _, c := range classes {
		width = max(width, len(c))
	}
	for _, c := range classes {
		cp, ok := pl.Classes[c]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "  %s:%s { base: %s, overhead: %s, registry: %s, buffer: %s, price: %s }\n",
			c, strings.Repeat(" ", width-len(c)), fix(cp.Base), fix(cp.Overhead), fix(cp.Registry), fix(cp.Buffer), fix(cp.Price))
	}
	return b.Bytes()
}

func fix(d decimal.Decimal) string { return d.StringFixed(cost.PricePlaces) }
