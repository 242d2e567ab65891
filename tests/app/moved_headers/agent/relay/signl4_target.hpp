#pragma once

// The header moved to agent/clouds/signl4/signl4_target.hpp; tests/app/core_* still name the old path until the
// core-loop branch that edits them lands (then this folder goes).
#include "agent/clouds/signl4/signl4_target.hpp"
