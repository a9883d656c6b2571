// Package registry lists the sources natsaudit reads, one line each. The
// order is the precedence: a name claimed with certainty by several
// sources is the first one's; a file whose content decides is offered to
// the sources that claim its name, in this order (a YAML file is a
// Kubernetes manifest before a NACK file before a compose file).
package registry

import (
	"github.com/natsaudit/natsaudit/internal/source"
	"github.com/natsaudit/natsaudit/internal/source/certs"
	"github.com/natsaudit/natsaudit/internal/source/compose"
	"github.com/natsaudit/natsaudit/internal/source/dotenv"
	"github.com/natsaudit/natsaudit/internal/source/helm"
	"github.com/natsaudit/natsaudit/internal/source/jwtclaims"
	"github.com/natsaudit/natsaudit/internal/source/kube"
	"github.com/natsaudit/natsaudit/internal/source/natsconf"
	"github.com/natsaudit/natsaudit/internal/source/natscontext"
	"github.com/natsaudit/natsaudit/internal/source/shell"
	"github.com/natsaudit/natsaudit/internal/source/streams"
	"github.com/natsaudit/natsaudit/internal/source/systemd"
)

// Sources are the registered sources, in precedence order.
var Sources = []source.Source{
	kube.Source{},
	streams.Source{},
	natscontext.Source{},
	compose.Source{},
	helm.Source{},
	dotenv.Source{},
	shell.Source{},
	certs.Source{},
	jwtclaims.Source{},
	natsconf.Source{},
	systemd.Source{},
}
