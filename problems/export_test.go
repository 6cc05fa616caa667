package problems

// Internal helpers for the external tests of this directory, which need the
// problem packages built on this one (paper, learning) and so cannot be
// internal tests.
var (
	RandPSD       = randPSD
	RandQuadratic = randQuadratic
	RandVec       = randVec
	ScaledSym     = scaledSym
	MixedErrMat   = mixedErrMat
	WorstOf       = worstOf
)
