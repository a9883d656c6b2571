package engine

import "github.com/natsaudit/natsaudit/rules"

// SetUsePrecompiled switches the precompiled catalog off (false) or on, for
// tests that compare the two.
func SetUsePrecompiled(on bool) { usePrecompiled = on }

// DamagePrecompiled truncates the embedded catalog.bin (its catalog still
// reads, its modules do not) until the returned function restores it.
func DamagePrecompiled() (restore func()) {
	orig := rules.Precompiled
	rules.Precompiled = orig[:len(orig)-1000]
	return func() { rules.Precompiled = orig }
}
