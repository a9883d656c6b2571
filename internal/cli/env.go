package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// EnvPrefix starts the environment variable of every flag:
// NATSAUDIT_FAIL_ON=medium is --fail-on medium.
const EnvPrefix = "NATSAUDIT_"

// envName is the variable that sets a flag: NATSAUDIT_ and the flag's name
// in upper case with dashes as underscores.
func envName(flag string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// applyEnv sets every flag of cmd that the command line did not set from
// its NATSAUDIT_<FLAG> variable, as Trivy does (TRIVY_SEVERITY), so that a
// CI job can configure natsaudit without changing the command. The command
// line wins. A repeatable flag takes a comma-separated list. Help and
// version are not read from the environment.
func (a *app) applyEnv(cmd *cobra.Command) error {
	var errs []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Changed || f.Name == "help" || f.Name == "version" {
			return
		}
		name := envName(f.Name)
		v := a.getenv(name)
		if v == "" {
			return
		}
		values := []string{v}
		if f.Value.Type() == "stringArray" {
			values = strings.Split(v, ",")
		}
		for _, x := range values {
			if err := f.Value.Set(strings.TrimSpace(x)); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", name, err))
				return
			}
		}
		f.Changed = true
		if a.fromEnv == nil {
			a.fromEnv = map[string]string{}
		}
		a.fromEnv[f.Name] = name
	})
	if len(errs) > 0 {
		return fmt.Errorf("environment: %s", strings.Join(errs, "; "))
	}
	return nil
}
