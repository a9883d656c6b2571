package compose

import (
	"github.com/natsaudit/natsaudit/internal/natsflags"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// parseFlags reads the nats-server flags of a service's command line
// (package natsflags, shared with the Kubernetes and Helm sources) into
// its deployment, its flag config and their locations.
func parseFlags(s *Service, args []sval, a *secret.Analyzer) {
	r := natsflags.Parse(svals(args), a)
	d := s.Deployment
	d.Command = append(d.Command, r.Command...)
	d.FlagNames = append(d.FlagNames, r.FlagNames...)
	for k, v := range r.Flags {
		d.Flags[k] = v
	}
	if r.ConfigPath != "" {
		d.ConfigPath = r.ConfigPath
	}
	for k, v := range r.Config {
		s.FlagConfig[k] = v
	}
	for k, v := range r.Locs {
		s.FlagLocs[k] = v
	}
}
