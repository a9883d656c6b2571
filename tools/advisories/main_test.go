package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The notes under testdata/notes are synthetic (made-up IDs in the format of
// advisories.nats.io); they exercise the three header styles and an alias
// file.
func TestBuildFromNotes(t *testing.T) {
	var out bytes.Buffer
	err := run([]string{
		"-advisories", "testdata/notes",
		"-advisories-rev", "abc1234",
		"-overlay", "testdata/notes/overlay.json",
		"-versions", "testdata/notes/tags.txt",
		"-versions", "testdata/notes/proxy.txt",
		"-updated", "2099-02-01",
	}, &out)
	if err != nil {
		t.Fatal(err)
	}
	var db DB
	if err := json.Unmarshal(out.Bytes(), &db); err != nil {
		t.Fatal(err)
	}
	if db.Updated != "2099-02-01" || db.AsOf != "2099-01-15" || db.Sources.Advisories != "github.com/nats-io/advisories abc1234" {
		t.Errorf("header: updated %q as_of %q sources %+v", db.Updated, db.AsOf, db.Sources)
	}
	if len(db.Advisories) != 2 {
		t.Fatalf("want 2 advisories (the client-only one skipped, the alias file ignored), got %d", len(db.Advisories))
	}
	old, recent := db.Advisories[0], db.Advisories[1]

	if old.ID != "CVE-2098-0002" || old.Note != "CVE-2098-0002" || old.Severity != "medium" {
		t.Errorf("old advisory: %+v", old)
	}
	// Only the nats-server part of Fixed-In and of the affected section count.
	if want := []Range{{"2.1.0", "2.2.0"}}; !reflect.DeepEqual(old.Ranges, want) {
		t.Errorf("old ranges = %+v, want %+v", old.Ranges, want)
	}
	if !reflect.DeepEqual(old.Aliases, []string{"GHSA-zzzz-yyyy-xxxx"}) {
		t.Errorf("old aliases = %v", old.Aliases)
	}

	if recent.ID != "CVE-2099-0001" || recent.URL != "https://advisories.nats.io/CVE/secnote-2099-01.txt" {
		t.Errorf("recent advisory: %+v", recent)
	}
	if recent.Summary != "nats-server: Example pre-auth crash in the widget listener" {
		t.Errorf("summary = %q", recent.Summary)
	}
	// "and below" with no introduction version: the lowest fix closes a range
	// from 2.0.0 (older series never got a fix); the next one its own series.
	want := []Range{{"2.0.0", "2.12.12"}, {"2.14.0-0", "2.14.3"}}
	if !reflect.DeepEqual(recent.Ranges, want) {
		t.Errorf("recent ranges = %+v, want %+v", recent.Ranges, want)
	}
	if !reflect.DeepEqual(recent.Fixed, []string{"2.12.12", "2.14.3"}) || !reflect.DeepEqual(recent.Requires, []string{"websocket", "!mqtt"}) {
		t.Errorf("fixed %v requires %v", recent.Fixed, recent.Requires)
	}
	// The Workarounds section, up to the next heading, on one line.
	if recent.Workaround != "Disable the widget listener if it is not required, or restrict network access to it." {
		t.Errorf("recent workaround = %q", recent.Workaround)
	}
	if !reflect.DeepEqual(recent.Aliases, []string{"GHSA-aaaa-bbbb-cccc"}) {
		t.Errorf("recent aliases = %v", recent.Aliases)
	}

	// Versions: RCs and -fips builds ignored; the two newest series are supported.
	if !reflect.DeepEqual(db.Supported, []string{"2.14", "2.12"}) {
		t.Errorf("supported = %v", db.Supported)
	}
	if db.Latest["2.14"] != "2.14.4" || db.Latest["2.12"] != "2.12.12" || db.Latest["2.10"] != "2.10.29" {
		t.Errorf("latest = %v", db.Latest)
	}
	if db.EOL["2.11"].Last != "2.11.17" || db.EOL["2.10"].Last != "2.10.29" || len(db.EOL) != 2 {
		t.Errorf("eol = %v", db.EOL)
	}
}

func TestOverlayMustCoverEveryNote(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "overlay.json"), []byte(`{"CVE-2098-0003": {"skip": "client"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run([]string{"-advisories", "testdata/notes", "-overlay", filepath.Join(dir, "overlay.json"),
		"-versions", "testdata/notes/tags.txt", "-updated", "2099-02-01"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "CVE-2099-0001 (secnote-2099-01): no overlay entry") {
		t.Fatalf("want a missing-overlay error, got %v", err)
	}
}

func TestOverlayRejectsUnknownFeature(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(p, []byte(`{"X": {"severity": "high", "requires": ["websockets"]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readOverlay(p); err == nil || !strings.Contains(err.Error(), `unknown feature "websockets"`) {
		t.Fatalf("want unknown feature error, got %v", err)
	}
}

func TestServerFixes(t *testing.T) {
	for in, want := range map[string][]string{
		"jwt 1.1.0; nats-server 2.1.9":                    {"2.1.9"},
		"v2.14.0, v2.12.7, v2.11.16":                      {"2.11.16", "2.12.7", "2.14.0"},
		"nats-server 2.7.2; nats-streaming-server 0.24.1": {"2.7.2"},
		"nkeys 0.4.6; nats-server 2.10.4":                 {"2.10.4"},
		"nats.js 2.0.0-209; nats.deno v1.0.0-9":           nil,
		"TBD":                                             nil,
		"v2.12.8, v2.11.17.":                              {"2.11.17", "2.12.8"},
	} {
		if got := serverFixes(in); !reflect.DeepEqual(got, want) {
			t.Errorf("serverFixes(%q) = %v, want %v", in, got, want)
		}
	}
}

// The committed table must be what the committed overlay produces from the
// notes it was built from; here we can only check that the overlay parses
// and names known features (the notes are not vendored).
func TestCommittedOverlayParses(t *testing.T) {
	ov, err := readOverlay("overlay.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(ov) < 40 {
		t.Errorf("overlay has %d entries; expected every nats-server advisory", len(ov))
	}
}

func TestWorkaroundSection(t *testing.T) {
	for _, tc := range []struct {
		name, note string
		want       string
		plain      bool
	}{
		{"none", "Workarounds:\n\nNone.\n\nCredits:\n\nX\n", "", true},
		{"none available", "Workaround:\n\n  None available\n", "", true},
		{"absent", "Impact:\n\nBad.\n", "", true},
		{"sentences", "Workarounds:\n\nDisable websockets if not\nrequired.\n\nResolution:\n\nUpgrade.\n", "Disable websockets if not required.", true},
		{"bullets", "Workarounds:\n\n * Disable JetStream.\n * Sandbox it.\n", "* Disable JetStream. * Sandbox it.", false},
		{"numbered", "Workarounds:\n\n1. Disable leafnodes.\n2. Restrict the port.\n", "1. Disable leafnodes. 2. Restrict the port.", false},
		{"config block", "Workarounds:\n\nSet:\n    leafnodes { compression: off }\n", "Set: leafnodes { compression: off }", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, plain := workaroundSection(strings.Split(tc.note, "\n"))
			if got != tc.want || plain != tc.plain {
				t.Errorf("workaroundSection = %q, %v; want %q, %v", got, plain, tc.want, tc.plain)
			}
		})
	}
}

// TestWorkaroundNeedsOverlayWhenLong: a long or structured Workarounds text
// is never quoted whole; the overlay condenses it, or says "none".
func TestWorkaroundNeedsOverlayWhenLong(t *testing.T) {
	long := &Note{File: "secnote-x", Workaround: strings.Repeat("word ", 60), Verbatim: true}
	list := &Note{File: "secnote-y", Workaround: "* a * b", Verbatim: false}
	short := &Note{File: "secnote-z", Workaround: "Disable MQTT.", Verbatim: true}
	for _, tc := range []struct {
		name string
		n    *Note
		e    OverlayEntry
		want string
		err  string
	}{
		{"long without overlay", long, OverlayEntry{}, "", "condense it in the overlay"},
		{"list without overlay", list, OverlayEntry{}, "", "has a list or config block"},
		{"long condensed", long, OverlayEntry{Workaround: "Do less."}, "Do less.", ""},
		{"overlay none", short, OverlayEntry{Workaround: "none"}, "", ""},
		{"short quoted", short, OverlayEntry{}, "Disable MQTT.", ""},
		{"overlay wins", short, OverlayEntry{Workaround: "Turn MQTT off."}, "Turn MQTT off.", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := workaround("CVE-X", tc.n, tc.e)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("workaround = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestCommittedTableWorkaroundsAreShort: what the table quotes stays a short
// sentence or two, never a note's text.
func TestCommittedTableWorkaroundsAreShort(t *testing.T) {
	b, err := os.ReadFile("../../rules/data/advisories.json")
	if err != nil {
		t.Fatal(err)
	}
	var db DB
	if err := json.Unmarshal(b, &db); err != nil {
		t.Fatal(err)
	}
	with := 0
	for _, a := range append(db.Advisories, db.Toolchain...) {
		if a.Workaround != "" {
			with++
		}
		if len(a.Workaround) > maxQuote {
			t.Errorf("%s: workaround of %d bytes (at most %d)", a.ID, len(a.Workaround), maxQuote)
		}
		if strings.Contains(a.Workaround, "\n") {
			t.Errorf("%s: workaround spans lines", a.ID)
		}
	}
	if with < 20 {
		t.Errorf("only %d advisories have a workaround: the table was not refreshed", with)
	}
}
