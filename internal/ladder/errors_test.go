package ladder_test

import (
	"errors"

	"github.com/echelonhq/echelon"
)

func asError(err error, e **echelon.Error) bool { return errors.As(err, e) }
