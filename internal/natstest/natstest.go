// Package natstest starts real nats-servers in-process for tests and the
// live recordings: from a config file's text, on loopback ports the OS
// chooses.
package natstest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// StartConf writes conf to dir/name.conf, starts a server from it (as
// nats-server -c would read it) and waits until it accepts clients. The
// caller shuts it down.
func StartConf(dir, name, conf string) (*server.Server, error) {
	p := filepath.Join(dir, name+".conf")
	if err := os.WriteFile(p, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	opts, err := server.ProcessConfigFile(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	opts.NoLog, opts.NoSigs = true, true
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("%s not ready", name)
	}
	return s, nil
}

// FreePorts returns n distinct loopback TCP ports free at the time of the
// call (for cluster routes, which must be known before the servers start).
func FreePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
