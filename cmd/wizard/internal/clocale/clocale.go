// Package clocale keeps Fyne from logging "Error parsing user locale C"
// under the C locale with a character set (LANG=C.UTF-8, the default of
// containers and CI). Fyne's lang package reads the locale while the
// program initialises, before main can do anything, and cannot parse "C",
// so the wizard's headless JSON-lines output began with three plain lines.
//
// This package imports nothing but os and strings, so Go initialises it
// before Fyne's lang package (which waits for text/template and more). It
// sets LC_MESSAGES to plain "C", which is what C.UTF-8 means for the
// language of messages; the character set (LC_CTYPE, LANG) is left alone.
// A locale Fyne really cannot read is still reported.
package clocale

import (
	"os"
	"strings"
)

func init() { Apply() }

// Apply makes a C locale with a character set read as "C" for messages.
func Apply() {
	for _, key := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(key)
		if v == "" {
			continue
		}
		base, _, found := strings.Cut(v, ".")
		if !found || (base != "C" && base != "POSIX") {
			return
		}
		if key == "LC_ALL" {
			// LC_ALL outranks LC_MESSAGES; narrowing it to C keeps the
			// meaning for messages and drops only the character set name.
			os.Setenv("LC_ALL", base)
			return
		}
		os.Setenv("LC_MESSAGES", base)
		return
	}
}
