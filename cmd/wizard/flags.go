package main

import (
	"encoding/json"
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
