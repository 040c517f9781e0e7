//go:build !windows && !darwin

package ui

// hasNativeOpen: on Linux the wizard keeps Fyne's own dialog (a native one
// would need GTK at build and run time).
const hasNativeOpen = false

func nativeOpen() (string, error) { return "", nil }
