package main

import "github.com/echelonhq/echelon/internal/password"

// testParams makes password hashing cheap in tests.
var testParams = password.Params{Memory: 1024, Time: 1, Threads: 1}
