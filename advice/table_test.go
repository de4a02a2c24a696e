package advice

import (
	"testing"

	"github.com/bouncewatch/bouncewatch/reason"
)

// TestTablesMatchReasons checks that each language's table has exactly the
// reasons of reason.All: none missing, none unknown.
func TestTablesMatchReasons(t *testing.T) {
	for l, tab := range map[Lang]map[reason.Reason]text{Japanese: japanese, English: english} {
		if len(tab) != len(reason.All) {
			t.Errorf("%s table has %d entries, reason.All has %d", l, len(tab), len(reason.All))
		}
		for r := range tab {
			if !r.Valid() {
				t.Errorf("%s table has unknown reason %q", l, r)
			}
		}
		for _, r := range reason.All {
			if _, ok := tab[r]; !ok {
				t.Errorf("%s table lacks %q", l, r)
			}
		}
	}
}
