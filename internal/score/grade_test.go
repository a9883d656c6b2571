package score

import "testing"

// TestGradeBoundaries: each letter starts at its bound ("A ≥ 9"), so the
// bound itself gets the better letter and the value just under it does not.
func TestGradeBoundaries(t *testing.T) {
	for _, tc := range []struct {
		s    float64
		want string
	}{
		{10, "A"}, {9, "A"}, {8.99, "B"},
		{8, "B"}, {7.99, "C"},
		{7, "C"}, {6.99, "D"},
		{5, "D"}, {4.99, "F"},
		{0, "F"},
	} {
		if got := Grade(tc.s); got != tc.want {
			t.Errorf("Grade(%v) = %s, want %s", tc.s, got, tc.want)
		}
	}
}
