package subtests

import "testing"

// Fake has Run and Parallel methods but is not testing.T.
type Fake struct{}

func (f *Fake) Run(string, func(*testing.T)) {}

func (f *Fake) Parallel() {}

func note(v interface{}) {}

func table(t *testing.T) {
	for n, tc := range []string{"a", "b"} {
		t.Run("par", func(t *testing.T) {
			t.Parallel()
			note(n)  // want
			note(tc) // want
		})

		t.Run("serial", func(t *testing.T) {
			note(n)
			note(tc)
		})

		t.Run("late", func(t *testing.T) {
			note(n)
			note(tc)
			t.Parallel()
			note(n)  // want
			note(tc) // want
		})

		t.Run("other", func(t *testing.T) {
			var other testing.T
			other.Parallel()
			note(n)
			note(tc)
		})

		t.Run("copied", func(t *testing.T) {
			n := n
			tc := tc
			t.Parallel()
			note(n)
			note(tc)
		})

		t.Run("copied-late", func(t *testing.T) {
			t.Parallel()
			n := n   // want
			tc := tc // want
			note(n)
			note(tc)
		})

		t.Run("block", func(t *testing.T) {
			t.Parallel()
			{
				note(n)  // want
				note(tc) // want
			}
		})

		t.Run("child", func(t *testing.T) {
			t.Parallel()
			t.Run("grandchild", func(t *testing.T) {
				note(n)  // want
				note(tc) // want
			})
		})

		t.Run("fake", func(_ *testing.T) {
			t := &Fake{}
			t.Parallel()
			note(n)
			note(tc)
		})

		t.Run("jump", func(t *testing.T) {
			if n > 0 {
				goto body
			}
			t.Parallel()
		body:
			note(n)
			note(tc)
		})

		t.Run("jump-twice", func(t *testing.T) {
			if n > 0 {
				goto body
			}
			t.Parallel()
			note(n)
		body:
			t.Parallel()
			note(tc) // want
		})

		t.Run("labels", func(t *testing.T) {
			if n > 0 {
				goto one
			} else {
				goto two
			}
		one:
		two:
			t.Parallel()
			note(tc) // want
		})

		pick := func() (string, func(t *testing.T)) { return "", nil }
		t.Run(pick())
	}
}

func copiedInBody(t *testing.T) {
	for n, tc := range []string{"a", "b"} {
		n := n
		tc := tc
		t.Run("", func(t *testing.T) {
			t.Parallel()
			note(n)
			note(tc)
		})
	}
}

func fakeRunner(t *Fake) {
	for n, tc := range []string{"a", "b"} {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			note(n)
			note(tc)
		})
	}
}

// A synchronous top-level subtest returns only once its parallel children are done.
func syncParent(t *testing.T) {
	for _, tc := range []string{"a", "b"} {
		t.Run("outer", func(s *testing.T) {
			s.Run("inner", func(u *testing.T) {
				u.Parallel()
				note(tc)
			})
		})

		t.Run("outer-par", func(s *testing.T) {
			s.Parallel()
			s.Run("inner", func(u *testing.T) {
				note(tc) // want
			})
		})
	}
}
