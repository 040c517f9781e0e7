// Package version says which build is running, for -version and the About
// box: a release build's stamped version, else the VCS revision.
package version

import "runtime/debug"

// Release is set by release builds:
// -ldflags "-X oawizard/version.Release=1.2.3".
var Release string

// String is the version of this build.
func String() string {
	if Release != "" {
		return Release
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && (v == "" || v == "(devel)") {
			v = "dev-" + s.Value[:min(12, len(s.Value))]
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return v
}
