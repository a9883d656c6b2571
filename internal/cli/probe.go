package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/probe"
	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/safefile"
)

// liveFlags select live targets and how to reach them; scan and probe share
// them.
type liveFlags struct {
	urls       []string
	server     string
	archives   []string
	creds      string
	user       string
	password   string
	nkey       string
	jsCreds    []string
	tlsCA      string
	tlsCert    string
	tlsKey     string
	insecure   bool
	timeout    time.Duration
	maxBody    int64
	maxServers int
	// maxRuleMemory bounds the rule evaluation's heap; it is here because
	// every command that takes live flags evaluates the rules.
	maxRuleMemory int64
}

// addLiveFlags registers the live flags; scan takes monitoring URLs with
// --url, probe as arguments.
func (a *app) addLiveFlags(cmd *cobra.Command, f *liveFlags, urlFlag bool) {
	fs := cmd.Flags()
	if urlFlag {
		fs.StringArrayVar(&f.urls, "url", nil, "also probe this HTTP(S) monitoring `URL`, e.g. http://nats-1:8222 (repeatable)")
	}
	fs.StringVar(&f.server, "server", "", "NATS `URL` to gather every server through the system account, e.g. nats://nats-1:4222 (default $NATS_URL for probe)")
	fs.StringArrayVar(&f.archives, "archive", nil, "read an archive `FILE` written by 'nats audit gather' (repeatable)")
	fs.StringVar(&f.creds, "creds", "", "system-account user credentials `FILE` for --server (default $NATS_CREDS)")
	fs.StringVar(&f.user, "user", "", "system-account `USER` for --server (default $NATS_USER)")
	fs.StringVar(&f.password, "password", "", "`PASSWORD` for --user (default $NATS_PASSWORD; prefer the variable: flags show in ps)")
	fs.StringVar(&f.nkey, "nkey", "", "`FILE` with the system-account user's nkey seed for --server (default $NATS_NKEY)")
	fs.StringArrayVar(&f.jsCreds, "js-creds", nil, "credentials `FILE` of a user of a JetStream account: its API is read through --server for streams no server lists (offline) and usage against the account's limits (repeatable)")
	fs.StringVar(&f.tlsCA, "tlsca", "", "CA certificate `FILE` (PEM) to verify HTTPS monitoring and NATS TLS (default $NATS_CA)")
	fs.StringVar(&f.tlsCert, "tlscert", "", "client certificate `FILE` (PEM) for mutual TLS (default $NATS_CERT)")
	fs.StringVar(&f.tlsKey, "tlskey", "", "client private key `FILE` (PEM) for --tlscert (default $NATS_KEY)")
	fs.BoolVar(&f.insecure, "insecure", false, "do not verify TLS certificates of live targets (reported on stderr and in the report)")
	fs.DurationVar(&f.timeout, "timeout", probe.DefaultTimeout, "bound on every live request and on the $SYS gather's waits; when given, on the rule evaluation too (default there: "+engine.DefaultEvalTimeout.String()+")")
	fs.Int64Var(&f.maxBody, "max-response-size", probe.DefaultMaxBody, "refuse monitoring responses (and archive entries) larger than this many `BYTES`")
	fs.Int64Var(&f.maxRuleMemory, "max-rule-memory", 0, "stop the rule evaluation when the heap grows over this many `BYTES` (default: 512 MiB, or 5 times the heap before the evaluation when that is more)")
	fs.IntVar(&f.maxServers, "max-servers", probe.DefaultMaxServers, "audit at most this many servers from $SYS answers and from each archive (the first `N` by name; the report notes when more answered)")
}

// options turns the flags into probe options. Environment variables fill
// what the flags leave empty, the way the nats CLI reads them; NATS_URL
// selects a target only for probe (defaultServer), never for scan.
func (f *liveFlags) options(getenv func(string) string, defaultServer bool) probe.Options {
	env := func(v, name string) string {
		if v == "" && getenv != nil {
			return getenv(name)
		}
		return v
	}
	o := probe.Options{
		URLs: f.urls, Server: f.server, Archives: f.archives,
		Timeout: f.timeout, MaxBody: f.maxBody, MaxServers: f.maxServers,
	}
	if o.Server == "" && defaultServer && len(o.URLs) == 0 && len(o.Archives) == 0 {
		o.Server = env("", "NATS_URL")
	}
	if o.Server != "" {
		a := probe.Auth{Creds: f.creds, NkeyFile: f.nkey, User: f.user, Password: f.password}
		switch {
		case a == probe.Auth{}:
			// Nothing on the command line: the environment, one method only.
			a.Creds = env("", "NATS_CREDS")
			if a.Creds == "" {
				a.NkeyFile = env("", "NATS_NKEY")
			}
			if a.Creds == "" && a.NkeyFile == "" {
				a.User, a.Password = env("", "NATS_USER"), env("", "NATS_PASSWORD")
			}
		case a.User != "" && a.Password == "":
			// --user with the password from the environment keeps it out of ps.
			a.Password = env("", "NATS_PASSWORD")
		}
		o.Auth = a
		o.JSCreds = f.jsCreds
	}
	if !o.Empty() {
		o.TLS = probe.TLSFiles{CA: env(f.tlsCA, "NATS_CA"), Cert: env(f.tlsCert, "NATS_CERT"), Key: env(f.tlsKey, "NATS_KEY"), Insecure: f.insecure}
	}
	return o
}

// checkFiles checks the files the probe will read (archives, credentials,
// TLS files) like every path of the command line: a link planted in the
// scanned tree or the working directory must not lead out of it (or into
// .git). The probe reads them itself.
func (f *liveFlags) checkFiles(g *safefile.Guard, getenv func(string) string, defaultServer bool) error {
	po := f.options(getenv, defaultServer)
	check := func(flag, p string) error {
		if p == "" {
			return nil
		}
		// A missing or unreadable file is the probe's to report, in its
		// words; only a link leading out is refused here.
		var le *safefile.LinkError
		if _, err := g.Check(p); errors.As(err, &le) {
			return fmt.Errorf("%s %s: %w", flag, p, err)
		}
		return nil
	}
	for _, p := range po.Archives {
		if err := check("--archive", p); err != nil {
			return err
		}
	}
	for _, p := range f.jsCreds {
		if err := check("--js-creds", p); err != nil {
			return err
		}
	}
	for _, c := range [][2]string{{"--creds", po.Auth.Creds}, {"--nkey", po.Auth.NkeyFile}, {"--tlsca", po.TLS.CA}, {"--tlscert", po.TLS.Cert}, {"--tlskey", po.TLS.Key}} {
		if err := check(c[0], c[1]); err != nil {
			return err
		}
	}
	return nil
}

// setup wires live collection into an audit run when live targets were
// given: the secret analyzer learns the credentials (so that no output can
// carry them) and opt.Live probes, reports each failure on stderr in one
// line, and merges what it read.
func (f *liveFlags) setup(a *app, eng *engine.Engine, opt *audit.Options, defaultServer bool) error {
	po := f.options(a.getenv, defaultServer)
	if len(f.jsCreds) > 0 && po.Server == "" {
		return errors.New("--js-creds needs --server (the account's JetStream API is reached through a NATS connection)")
	}
	if po.Empty() {
		return nil
	}
	if f.timeout <= 0 {
		return errors.New("--timeout must be positive")
	}
	if f.maxServers <= 0 {
		return errors.New("--max-servers must be positive")
	}
	if opt.Secrets == nil {
		sec, err := audit.NewAnalyzer(eng)
		if err != nil {
			return err
		}
		opt.Secrets = sec
	}
	sec := opt.Secrets
	for _, v := range probe.SecretValues(po) {
		sec.Remember(v)
	}
	// Messages name targets without userinfo and never quote credentials;
	// scrubbing the remembered values is the second line of defence.
	say := func(format string, args ...any) {
		fmt.Fprintf(a.stderr, "natsaudit: %s\n", report.TerminalSafe(sec.Redact(fmt.Sprintf(format, args...))))
	}
	opt.Live = func(ctx context.Context, inv *model.Inventory) error {
		if po.TLS.Insecure {
			say("WARNING: --insecure: TLS certificates of live targets are NOT verified")
		}
		res, err := probe.Collect(ctx, po)
		if err != nil {
			return err
		}
		// One line per failure, but not thousands: a rogue responder on the
		// system account can make every server and endpoint fail.
		for i, fl := range res.Failures {
			if i == maxFailureLines {
				say("probe: %d more failures (listed in the report's errors)", len(res.Failures)-i)
				break
			}
			say("probe %s", fl.Error())
		}
		probe.Merge(inv, res)
		if !res.Reached() {
			return fmt.Errorf("no live target could be read (%s)", plural(len(res.Failures), "failure"))
		}
		return nil
	}
	return nil
}

// maxFailureLines is how many probe failures are printed on stderr.
const maxFailureLines = 50

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

type probeFlags = auditFlags

func (a *app) probeCmd() *cobra.Command {
	var f probeFlags
	cmd := &cobra.Command{
		Use:   "probe [MONITORING-URL...]",
		Short: "Audit running servers (HTTP monitoring, system account, or a `nats audit gather` archive)",
		Long: `Probe reads what running servers report and audits it: versions, TLS and auth
as the server sees them, JetStream cluster health, streams and consumers.

Three ways to reach the servers (combine them freely):

  HTTP monitoring   each server's monitoring port (http_port / https_port):
                    /varz, /jsz, /healthz, /connz, /routez, /gatewayz, /leafz,
                    /accountz, all servers at once, each request bounded by
                    --timeout and --max-response-size.
  system account    --server with system-account credentials: one connection
                    reaches every server of the cluster or supercluster
                    through $SYS.REQ.SERVER.PING.*; no monitoring port needed.
  archive           --archive FILE from ` + "`nats audit gather`" + `, audited offline.

A server reached twice (two URLs, or HTTP and $SYS) counts once, by
server_name. To audit config files and live servers together, use
` + "`natsaudit scan PATH --url URL`" + `.

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
2 usage error or no target could be read (each failure is one line on stderr;
targets that could be read are still reported when others fail).`,
		Example: `  natsaudit probe http://nats-1:8222 http://nats-2:8222 http://nats-3:8222
  natsaudit probe --server nats://nats-1:4222 --creds sys.creds
  NATS_URL=nats://nats-1:4222 NATS_USER=sys NATS_PASSWORD=... natsaudit probe
  natsaudit probe https://nats-1:8222 --tlsca ca.pem --format json --output live.json
  natsaudit probe --archive audit-archive.zip`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runProbe(cmd, args, &f)
		},
	}
	a.addOutputFlags(cmd, &f.out)
	a.addLiveFlags(cmd, &f.live, false)
	cmd.Flags().StringArrayVar(&f.ruleDirs, "rules", nil, "directory of extra Rego rules (repeatable)")
	addCIFlags(cmd, &f.ci, "none (probe reads no directory)")
	cmd.Flags().StringVar(&f.inventory, "inventory", "", "also write the Rego input (the inventory rules see) to this file, for writing rules")
	cmd.Flags().StringVar(&f.now, "now", "", "evaluate as if it were this time (RFC 3339); for reproducible reports")
	_ = cmd.Flags().MarkHidden("now")
	return cmd
}

func (a *app) runProbe(cmd *cobra.Command, args []string, f *probeFlags) error {
	f.live.urls = append(f.live.urls, args...)
	return a.runAudit(cmd, f, audit.Options{}, func() error {
		if f.live.options(a.getenv, true).Empty() {
			return errors.New("nothing to probe: give monitoring URLs (http://host:8222), --server nats://host:4222 (or $NATS_URL) with system-account credentials, or --archive FILE")
		}
		return nil
	})
}
