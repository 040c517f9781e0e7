package ui

import (
	"testing"
	"time"
)

// The tests' stand-in for fyne.Do is asynchronous as the real one is: a
// call made on the UI goroutine returns before its function runs, and the
// function runs later on the UI goroutine. A stand-in that ran it at once
// would let the window's code work in tests and deadlock or reorder in
// the product.
func TestDoRunsLaterLikeFynes(t *testing.T) {
	ran := make(chan bool, 1)
	returned := make(chan bool, 1)
	go onUIDo(func() {
		inside := false
		do(func() { ran <- inside })
		inside = true // still on the UI goroutine: do has returned
		returned <- true
	})
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("do did not return while the UI goroutine was busy")
	}
	select {
	case before := <-ran:
		if !before {
			t.Fatal("do ran its function before returning")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("do never ran its function")
	}
}
