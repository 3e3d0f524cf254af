package rules

import (
	"encoding"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// pos is a place in a configuration file.
type pos struct{ line, col int }

// decoder fills Go values from a node tree, strictly: an unknown key, a
// list where a value belongs or a value that does not parse is an error at
// its line. It collects every error instead of stopping at the first, and
// records the position of every path it decoded.
type decoder struct {
	file string
	errs []*FieldError
	pos  map[string]pos
}

func newDecoder(file string) *decoder { return &decoder{file: file, pos: map[string]pos{}} }

func (d *decoder) fail(n *node, path string, err error) {
	d.errs = append(d.errs, &FieldError{File: d.file, Line: n.line, Column: n.col, Path: path, Err: err})
}

// scalarDecoder is implemented by types that parse themselves from a YAML
// scalar's exact text (money, rates).
type scalarDecoder interface {
	decodeScalar(text string) error
}

var (
	scalarDecoderType = reflect.TypeFor[scalarDecoder]()
	textUnmarshaler   = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func (d *decoder) decode(n *node, path string, v reflect.Value) {
	d.pos[path] = pos{n.line, n.col}
	if v.Kind() == reflect.Pointer {
		if n.kind == kindNull {
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, path, v.Elem())
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(scalarDecoderType) {
		if n.kind != kindScalar {
			d.fail(n, path, fmt.Errorf("%w: want a number, found %s", ErrType, n.kind))
			return
		}
		if err := v.Addr().Interface().(scalarDecoder).decodeScalar(n.text); err != nil {
			d.fail(n, path, fmt.Errorf("%w: %w", ErrInvalid, err))
		}
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(textUnmarshaler) && v.Kind() != reflect.String {
		if n.kind != kindScalar {
			d.fail(n, path, fmt.Errorf("%w: want a value, found %s", ErrType, n.kind))
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.text)); err != nil {
			d.fail(n, path, fmt.Errorf("%w: %w", ErrInvalid, err))
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		switch n.kind {
		case kindNull:
			v.SetString("")
		case kindScalar:
			v.SetString(n.text)
		default:
			d.fail(n, path, fmt.Errorf("%w: want a value, found %s", ErrType, n.kind))
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		if n.kind != kindScalar {
			d.fail(n, path, fmt.Errorf("%w: want a whole number, found %s", ErrType, n.kind))
			return
		}
		i, err := strconv.ParseInt(strings.ReplaceAll(n.text, "_", ""), 10, 64)
		if err != nil || n.quoted {
			d.fail(n, path, fmt.Errorf("%w: %q is not a whole number", ErrType, n.text))
			return
		}
		v.SetInt(i)
	case reflect.Bool:
		if n.kind != kindScalar || n.quoted {
			d.fail(n, path, fmt.Errorf("%w: want true or false", ErrType))
			return
		}
		switch strings.ToLower(n.text) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			d.fail(n, path, fmt.Errorf("%w: want true or false, found %q", ErrType, n.text))
		}
	case reflect.Slice:
		if n.kind == kindNull {
			return
		}
		if n.kind != kindSequence {
			d.fail(n, path, fmt.Errorf("%w: want a list, found %s", ErrType, n.kind))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.items), len(n.items))
		for i, it := range n.items {
			d.decode(it, fmt.Sprintf("%s[%d]", path, i), s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		if n.kind == kindNull {
			return
		}
		if n.kind != kindMapping {
			d.fail(n, path, fmt.Errorf("%w: want a mapping, found %s", ErrType, n.kind))
			return
		}
		if v.Type().Key().Kind() != reflect.String {
			panic("rules: map keys must be strings")
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.keys))
		for i, k := range n.keys {
			elem := reflect.New(v.Type().Elem()).Elem()
			p := joinPath(path, k.text)
			d.pos[p+"#key"] = pos{k.line, k.col}
			d.decode(n.vals[i], p, elem)
			m.SetMapIndex(reflect.ValueOf(k.text).Convert(v.Type().Key()), elem)
		}
		v.Set(m)
	case reflect.Struct:
		if n.kind == kindNull {
			return
		}
		if n.kind != kindMapping {
			d.fail(n, path, fmt.Errorf("%w: want a mapping, found %s", ErrType, n.kind))
			return
		}
		fields := structFields(v.Type())
		for i, k := range n.keys {
			idx, ok := fields[k.text]
			p := joinPath(path, k.text)
			if !ok {
				d.errs = append(d.errs, &FieldError{File: d.file, Line: k.line, Column: k.col, Path: p,
					Err: fmt.Errorf("%w: %q is not a key of %s (known keys: %s)", ErrUnknownKey, k.text, describe(path), strings.Join(slices.Sorted(maps.Keys(fields)), ", "))})
				continue
			}
			d.decode(n.vals[i], p, v.Field(idx))
		}
	default:
		panic(fmt.Sprintf("rules: cannot decode into %s", v.Type()))
	}
}

func describe(path string) string {
	if path == "" {
		return "the configuration"
	}
	return path
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func structFields(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "" || tag == "-" {
			continue
		}
		m[strings.Split(tag, ",")[0]] = i
	}
	return m
}

func sortByValue(keys []string, m map[string]int) {
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && m[keys[j]] < m[keys[j-1]]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}
