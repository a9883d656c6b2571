package engine

// SetUsePrecompiled switches the precompiled catalog off (false) or on, for
// tests that compare the two.
func SetUsePrecompiled(on bool) { usePrecompiled = on }
