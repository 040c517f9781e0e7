package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
)

// checkCounts refuses negative counts instead of quietly taking the
// defaults: -followers -5 is a typo, not a wish for the scenario's count.
func checkCounts(followers, workers int) error {
	if followers < 0 {
		return fmt.Errorf("-followers must be 0 (the scenario's own count) or more, not %d", followers)
	}
	if workers < 0 {
		return fmt.Errorf("-workers must be 0 (the default, 8) or more, not %d", workers)
	}
	return nil
}

// usageError reports a bad flag on stderr: one JSON line in headless mode,
// whose stderr is JSON lines only, else a sentence.
func usageError(stderr io.Writer, headless bool, err error) int {
	if headless {
		json.NewEncoder(stderr).Encode(map[string]string{"event": "error", "stage": "flags", "error": err.Error()})
	} else {
		fmt.Fprintln(stderr, "wizard:", err)
	}
	return exitError
}

// setFlag is the value of a flag given on the command line, or "" when it
// was left at its default (the window then continues where it stood).
func setFlag(name string) string {
	v := ""
	flag.Visit(func(f *flag.Flag) {
		if f.Name == name {
			v = f.Value.String()
		}
	})
	return v
}
