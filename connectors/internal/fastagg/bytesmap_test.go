package fastagg

import (
	"testing"

	"pgregory.net/rapid"
)

// TestBytesMap compares bytesMap with a Go map over random puts, gets and
// resets, with keys of every length from empty to long (rehashes included).
func TestBytesMap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var m bytesMap
		ref := map[string]uint32{}
		key := rapid.OneOf(rapid.StringN(0, 3, -1), rapid.StringN(0, 40, -1), rapid.SampledFrom([]string{"", "a", "ab", "a\x00"}))
		for i := range rapid.IntRange(0, 3000).Draw(t, "ops") {
			k := key.Draw(t, "k")
			switch op := rapid.IntRange(0, 20).Draw(t, "op"); {
			case op == 0:
				m.reset()
				clear(ref)
			case op < 10:
				if _, ok := ref[k]; !ok {
					m.put([]byte(k), uint32(i))
					ref[k] = uint32(i)
				}
			}
			v, ok := m.get([]byte(k))
			if w, wok := ref[k]; ok != wok || v != w {
				t.Fatalf("get(%q) = %d, %v; want %d, %v", k, v, ok, w, wok)
			}
			if m.len() != len(ref) {
				t.Fatalf("len = %d, want %d", m.len(), len(ref))
			}
		}
	})
}
