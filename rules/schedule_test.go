package rules

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/allot-dev/allot/cost"
)

func TestScheduleOut(t *testing.T) {
	base := "version: 1\nsources: [{ name: b, kind: focus, url: file:b }, { name: g, kind: gateway, url: file:g }]\n" +
		"teams: [{ id: a, cost_center: X }, { id: p, cost_center: Y, platform: true }]\n"
	oct := cost.Period{Year: 2026, Month: 10}
	cases := map[string]struct {
		schedule string
		want     string // relative to the configuration's folder
	}{
		"default":          {"", "out/2026-10"},
		"written":          {"schedule:\n  out: reports/{period}/allot\n", "reports/2026-10/allot"},
		"without a period": {"schedule: { out: latest }\n", "latest"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := Parse([]byte(base+tc.schedule), "allot.yaml", "/etc/allot")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := c.ScheduleOutDir(oct), filepath.Join("/etc/allot", tc.want); got != want {
				t.Errorf("ScheduleOutDir(2026-10) = %q, want %q", got, want)
			}
		})
	}
	t.Run("unknown placeholder", func(t *testing.T) {
		_, err := Parse([]byte(base+"schedule:\n  out: out/{month}\n"), "allot.yaml", "/etc/allot")
		var fe *FieldError
		if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
			t.Fatalf("err = %v, want a FieldError wrapping ErrInvalid", err)
		}
		if fe.Path != "schedule.out" || fe.Line != 5 {
			t.Errorf("error at %s line %d, want schedule.out line 5", fe.Path, fe.Line)
		}
		if !strings.Contains(err.Error(), "{period}") {
			t.Errorf("the error does not name the placeholder: %v", err)
		}
	})
}
