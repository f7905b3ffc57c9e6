// Edit FACTOR and save: every source that includes this header is rebuilt and reloaded.
#pragma once
#define FACTOR 2.0
