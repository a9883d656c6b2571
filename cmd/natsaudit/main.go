// Command natsaudit audits NATS deployments. See README.md.
package main

import (
	"os"

	"github.com/natsaudit/natsaudit/internal/cli"
)

func main() { os.Exit(cli.Run()) }
