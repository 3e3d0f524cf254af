package rules

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// node is a YAML node reduced to what configuration decoding needs: its
// kind, its scalar text exactly as written (so 0.15 stays 0.15, never a
// float), and its position for file:line errors.
type node struct {
	kind   nodeKind
	text   string // scalar text, unquoted
	quoted bool
	line   int
	col    int
	keys   []*node // mapping keys, in file order
	vals   []*node // mapping values
	items  []*node // sequence items
}

type nodeKind int

const (
	kindNull nodeKind = iota
	kindScalar
	kindMapping
	kindSequence
)

func (k nodeKind) String() string {
	switch k {
	case kindScalar:
		return "a value"
	case kindMapping:
		return "a mapping"
	case kindSequence:
		return "a list"
	}
	return "empty"
}

// parseYAML parses one YAML document into a node tree.
func parseYAML(file string, data []byte) (*node, error) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		line, col, msg := 0, 0, err.Error()
		var se interface{ GetToken() *token.Token }
		if errors.As(err, &se) && se.GetToken() != nil {
			line, col = se.GetToken().Position.Line, se.GetToken().Position.Column
		}
		if i := strings.Index(msg, "\n"); i > 0 {
			msg = msg[:i]
		}
		msg = strings.TrimSpace(strings.TrimPrefix(msg, fmt.Sprintf("[%d:%d] ", line, col)))
		return nil, &FieldError{File: file, Line: line, Column: col, Err: fmt.Errorf("%w: %s", ErrSyntax, msg)}
	}
	if len(f.Docs) == 0 || f.Docs[0] == nil || f.Docs[0].Body == nil {
		return &node{kind: kindNull, line: 1, col: 1}, nil
	}
	if len(f.Docs) > 1 {
		return nil, &FieldError{File: file, Line: 1, Err: fmt.Errorf("%w: the file holds %d YAML documents; write one", ErrSyntax, len(f.Docs))}
	}
	anchors := map[string]ast.Node{}
	return convert(file, f.Docs[0].Body, anchors, 0)
}

func convert(file string, n ast.Node, anchors map[string]ast.Node, depth int) (*node, error) {
	if depth > 64 {
		return nil, &FieldError{File: file, Err: fmt.Errorf("%w: nesting too deep", ErrSyntax)}
	}
	if n == nil {
		return &node{kind: kindNull}, nil
	}
	tk := n.GetToken()
	out := &node{}
	if tk != nil {
		out.line, out.col = tk.Position.Line, tk.Position.Column
	}
	switch v := n.(type) {
	case *ast.NullNode:
		out.kind = kindNull
	case *ast.StringNode:
		out.kind, out.text = kindScalar, v.Value
		out.quoted = tk != nil && (tk.Type == token.SingleQuoteType || tk.Type == token.DoubleQuoteType)
	case *ast.LiteralNode:
		out.kind, out.text, out.quoted = kindScalar, v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		out.kind, out.text = kindScalar, tk.Value
	case *ast.TagNode:
		inner, err := convert(file, v.Value, anchors, depth+1)
		if err != nil {
			return nil, err
		}
		if tk != nil && tk.Value == "!!str" && inner.kind == kindScalar {
			inner.quoted = true
		}
		return inner, nil
	case *ast.AnchorNode:
		if name, ok := v.Name.(*ast.StringNode); ok {
			anchors[name.Value] = v.Value
		} else if v.Name != nil {
			anchors[v.Name.GetToken().Value] = v.Value
		}
		return convert(file, v.Value, anchors, depth+1)
	case *ast.AliasNode:
		name := v.Value.GetToken().Value
		target, ok := anchors[name]
		if !ok {
			return nil, &FieldError{File: file, Line: out.line, Column: out.col, Err: fmt.Errorf("%w: alias *%s has no anchor before it", ErrSyntax, name)}
		}
		return convert(file, target, anchors, depth+1)
	case *ast.MappingNode:
		out.kind = kindMapping
		for _, mv := range v.Values {
			if err := addPair(file, out, mv, anchors, depth); err != nil {
				return nil, err
			}
		}
	case *ast.MappingValueNode:
		out.kind = kindMapping
		if err := addPair(file, out, v, anchors, depth); err != nil {
			return nil, err
		}
	case *ast.SequenceNode:
		out.kind = kindSequence
		for _, it := range v.Values {
			c, err := convert(file, it, anchors, depth+1)
			if err != nil {
				return nil, err
			}
			out.items = append(out.items, c)
		}
	default:
		return nil, &FieldError{File: file, Line: out.line, Column: out.col, Err: fmt.Errorf("%w: unsupported YAML construct %s", ErrSyntax, n.Type())}
	}
	return out, nil
}

func addPair(file string, m *node, mv *ast.MappingValueNode, anchors map[string]ast.Node, depth int) error {
	if _, merge := mv.Key.(*ast.MergeKeyNode); merge {
		val, err := convert(file, mv.Value, anchors, depth+1)
		if err != nil {
			return err
		}
		if val.kind != kindMapping {
			return &FieldError{File: file, Line: val.line, Column: val.col, Err: fmt.Errorf("%w: a << merge needs a mapping", ErrSyntax)}
		}
		for i := range val.keys {
			if m.lookup(val.keys[i].text) == nil {
				m.keys = append(m.keys, val.keys[i])
				m.vals = append(m.vals, val.vals[i])
			}
		}
		return nil
	}
	k, err := convert(file, mv.Key, anchors, depth+1)
	if err != nil {
		return err
	}
	if k.kind != kindScalar {
		return &FieldError{File: file, Line: k.line, Column: k.col, Err: fmt.Errorf("%w: a key must be a plain value", ErrSyntax)}
	}
	if prev := m.lookup(k.text); prev != nil {
		return &FieldError{File: file, Line: k.line, Column: k.col, Err: fmt.Errorf("%w: key %q appears twice (first at line %d)", ErrDuplicate, k.text, prev.line)}
	}
	v, err := convert(file, mv.Value, anchors, depth+1)
	if err != nil {
		return err
	}
	if v.line == 0 {
		v.line, v.col = k.line, k.col
	}
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, v)
	return nil
}

// lookup returns the key node named key, or nil.
func (n *node) lookup(key string) *node {
	for _, k := range n.keys {
		if k.text == key {
			return k
		}
	}
	return nil
}
