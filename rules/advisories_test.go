package rules_test

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/rules"
)

// The advisory table is data that NATS-VER-001..004 trust: check its shape
// (tools/advisories builds it; hand edits must keep it valid).
func TestAdvisoryTable(t *testing.T) {
	b, err := rules.FS.ReadFile("data/advisories.json")
	if err != nil {
		t.Fatal(err)
	}
	var db struct {
		Updated    string            `json:"updated"`
		AsOf       string            `json:"advisories_as_of"`
		Supported  []string          `json:"supported_series"`
		Latest     map[string]string `json:"latest"`
		EOL        map[string]struct{ Last string }
		Advisories []struct {
			ID, Severity, Summary, URL, Date string
			Aliases, Fixed, Requires         []string
			Ranges                           []struct{ Introduced, Fixed string }
		}
		Toolchain []struct {
			ID       string
			GoFixed  []string `json:"go_fixed"`
			Severity string
		}
	}
	if err := json.Unmarshal(b, &db); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{db.Updated, db.AsOf} {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			t.Errorf("date %q: %v", d, err)
		}
	}
	if len(db.Supported) != 2 {
		t.Errorf("supported_series = %v, want the current and previous minor", db.Supported)
	}
	for _, s := range db.Supported {
		if db.Latest[s] == "" {
			t.Errorf("supported series %s has no latest release", s)
		}
		if _, eol := db.EOL[s]; eol {
			t.Errorf("series %s is both supported and end-of-life", s)
		}
	}
	sev := map[string]bool{"critical": true, "high": true, "medium": true, "low": true}
	idRe := regexp.MustCompile(`^(CVE-\d{4}-\d+|GHSA(-[0-9a-z]{4}){3})$`)
	seen := map[string]bool{}
	for _, a := range db.Advisories {
		if !idRe.MatchString(a.ID) || seen[a.ID] {
			t.Errorf("advisory id %q invalid or duplicated", a.ID)
		}
		seen[a.ID] = true
		if !sev[a.Severity] || a.Summary == "" || !strings.HasPrefix(a.URL, "https://advisories.nats.io/CVE/") || len(a.Ranges) == 0 {
			t.Errorf("%s: severity %q, summary %q, url %q, %d ranges", a.ID, a.Severity, a.Summary, a.URL, len(a.Ranges))
		}
		if a.Requires == nil {
			t.Errorf("%s: requires must be a list ([] = every deployment)", a.ID)
		}
		for _, r := range a.Ranges {
			if cmpVersion(t, r.Introduced, r.Fixed) >= 0 {
				t.Errorf("%s: empty range [%s, %s)", a.ID, r.Introduced, r.Fixed)
			}
		}
	}
	for _, a := range db.Toolchain {
		if len(a.GoFixed) == 0 || !sev[a.Severity] {
			t.Errorf("toolchain advisory %s: go_fixed %v, severity %q", a.ID, a.GoFixed, a.Severity)
		}
	}
}

var semverRe = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.]+)?$`)

// cmpVersion compares release versions; a pre-release sorts before its release.
func cmpVersion(t *testing.T, a, b string) int {
	t.Helper()
	pa, pb := semverRe.FindStringSubmatch(a), semverRe.FindStringSubmatch(b)
	if pa == nil || pb == nil {
		t.Errorf("not a semantic version: %q or %q", a, b)
		return 0
	}
	for i := 1; i <= 3; i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x - y
		}
	}
	switch {
	case pa[4] == pb[4]:
		return 0
	case pa[4] == "":
		return 1
	case pb[4] == "":
		return -1
	}
	return strings.Compare(pa[4], pb[4])
}
