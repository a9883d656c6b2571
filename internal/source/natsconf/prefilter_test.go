package natsconf

import "testing"

// TestMentionsInclude: the prefilter in front of the include regexp never
// hides a directive the regexp would find.
func TestMentionsInclude(t *testing.T) {
	for _, text := range []string{"include a.conf", "  INCLUDE 'x'", "{ Include \"y\" }", "a: 1; include z", "x\ninclude\tq"} {
		if !includeRe.MatchString(text) {
			t.Fatalf("%q: the regexp does not match: fix the case", text)
		}
		if !mentionsInclude(text) {
			t.Errorf("%q: prefilter says no include", text)
		}
	}
	for _, text := range []string{"", "port: 4222", "inclu de x", "includ"} {
		if mentionsInclude(text) || includeRe.MatchString(text) {
			t.Errorf("%q: include found", text)
		}
	}
}
