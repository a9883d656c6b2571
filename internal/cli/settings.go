package cli

import (
	"context"
	"fmt"
	"github.com/natsaudit/natsaudit/internal/source/helm"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/config"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/safefile"
	"github.com/natsaudit/natsaudit/internal/suppress"
)

// ciFlags are the settings a pipeline adds to a run: the config file
// (parameters, enabled/disabled rules, exceptions) and a baseline.
type ciFlags struct {
	config   string
	baseline string
}

func addCIFlags(cmd *cobra.Command, f *ciFlags, lookedFor string) {
	cmd.Flags().StringVarP(&f.config, "config", "c", "", "settings and exceptions file (parameters, enabled/disabled rules, exceptions); default: "+lookedFor)
	cmd.Flags().StringVar(&f.baseline, "baseline", "", "JSON report of accepted findings (natsaudit baseline write, or scan --format json): only findings not in it are reported and count for --fail-on")
}

// runSettings is what the config file and the baseline add to an audit.
type runSettings struct {
	cfg      *config.Config
	baseline *suppress.Baseline
	disabled map[string]bool
	notes    []string
}

// loadEngine reads the config file (--config, else .natsaudit.yaml in root
// when root is not ""), builds the engine with the config's parameters and
// checks every rule ID and parameter it names against the catalog, then
// reads the baseline. eo are the engine's options from the command line.
//
// A config found at root is a file of the tree (read only if it is, links
// resolved, inside it and not in .git); --config and --baseline are the
// user's paths, checked by g (no planted link out of the tree).
func (a *app) loadEngine(ctx context.Context, g *safefile.Guard, f *ciFlags, root string, eo engine.Options) (*engine.Engine, *runSettings, error) {
	s := &runSettings{disabled: map[string]bool{}}
	path, display := f.config, f.config
	read := config.ReadFunc(g.ReadFile)
	if path == "" && root != "" {
		if p := config.Find(root); p != "" {
			// At the project root: report paths are relative to it. Errors
			// name it from the working directory, never by its absolute path.
			path, display = cwdRelative(p), filepath.Base(p)
			read = foundConfigReader(root)
		}
	}
	if path != "" {
		cfg, err := config.Load(filepath.ToSlash(path), filepath.ToSlash(display), read)
		if err != nil {
			return nil, nil, err
		}
		if f.config != "" && root != "" {
			cfg.Rebase(configPrefix(root, path))
		}
		s.cfg = cfg
	}
	eng, err := engine.New(ctx, eo)
	if err != nil {
		return nil, nil, err
	}
	if s.cfg != nil {
		cat := config.Catalog{Rules: map[string]bool{}, Params: eng.Params()}
		var ids []string
		for _, r := range eng.Rules() {
			cat.Rules[r.ID] = true
			ids = append(ids, r.ID)
		}
		if err := s.cfg.Check(cat); err != nil {
			return nil, nil, err
		}
		if len(s.cfg.Params) > 0 {
			// Parameters are part of the store: prepare again with them (the
			// compiled rules are reused).
			if eng, err = eng.WithParams(ctx, s.cfg.Params); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", s.cfg.Path, err)
			}
		}
		s.disabled = s.cfg.DisabledSet(ids)
		note := fmt.Sprintf("settings from %s: %s", s.cfg.Name, plural(len(s.cfg.Exceptions), "exception"))
		if len(s.cfg.Params) > 0 {
			note += ", parameter overrides"
		}
		if n := len(s.cfg.Enabled); n > 0 {
			note += fmt.Sprintf(", only %s enabled", plural(n, "rule"))
		}
		if n := len(s.cfg.Disabled); n > 0 {
			var off []string
			for _, r := range s.cfg.Disabled {
				off = append(off, r.ID)
			}
			note += fmt.Sprintf(", %s disabled (%s)", plural(n, "rule"), strings.Join(off, ", "))
		}
		s.notes = append(s.notes, note)
	}
	if f.baseline != "" {
		rep, err := readReport(g, f.baseline)
		if err != nil {
			return nil, nil, fmt.Errorf("baseline: %w", err)
		}
		s.baseline = suppress.NewBaseline(filepath.ToSlash(f.baseline), rep)
	}
	return eng, s, nil
}

// apply puts the settings into the audit options.
func (s *runSettings) apply(o *audit.Options) {
	o.Disabled = s.disabled
	if s.cfg != nil {
		o.Suppress.Exceptions = s.cfg.Exceptions
		o.ComposeProjects = s.cfg.ComposeProjects
		o.SeverityOverrides = s.cfg.SeverityOverrides
		o.SkipDirs = append(append([]string{}, o.SkipDirs...), s.cfg.SkipDirs...)
		o.SkipFiles = append(append([]string{}, o.SkipFiles...), s.cfg.SkipFiles...)
		for _, r := range s.cfg.Helm {
			o.Helm = append(o.Helm, helm.Spec{Name: r.Name, Chart: r.Chart, Version: r.Version, Values: r.Values,
				Source: fmt.Sprintf("%s:%d", s.cfg.Name, r.Line)})
		}
	}
	o.Suppress.Baseline = s.baseline
}

// finish records the settings in the report and prints the suppression
// warnings (missing reasons, expired exceptions) on stderr.
func (a *app) finish(s *runSettings, res *audit.Result) {
	res.Report.Notes = append(res.Report.Notes, s.notes...)
	for _, w := range res.Warnings {
		a.warnf("%s\n", report.TerminalSafe(res.Secrets.Redact(w)))
	}
}

// configPrefix is the directory of the config file at path relative to the
// project root, for the paths the file names (exceptions, compose projects,
// Helm values), which are relative to the file itself. A file outside the
// project (a copy of the base commit's config in CI, a team-wide file)
// names paths relative to the project root: "" then.
func configPrefix(root, path string) string {
	absRoot, err1 := filepath.Abs(root)
	absDir, err2 := filepath.Abs(filepath.Dir(path))
	if err1 != nil || err2 != nil {
		return ""
	}
	r, err := filepath.Rel(absRoot, absDir)
	if err != nil || r == "." || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return ""
	}
	return filepath.ToSlash(r)
}

// cwdRelative is p relative to the working directory (with ../ when it is
// above it), or p when that cannot be said.
func cwdRelative(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil {
		return r
	}
	return p
}
