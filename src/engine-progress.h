#ifndef VG_ENGINE_PROGRESS_H
#define VG_ENGINE_PROGRESS_H

/* --progress: a progress line while a capture is read. On a terminal one
 * line on stderr, rewritten four times a second; otherwise a line every 10 s.
 * A last line when the run ends. Printed by the stats task (CS#01) only. */

#include <stdbool.h>

#include "runtime/engine.h"

/* Main thread, before engine_setup_outputs. */
void engine_progress_enable(void);
/* Start-up (main thread): the total size of the capture files. */
void engine_progress_setup(const Engine *e);
/* CS#01: print when due (always when is_final). */
void engine_progress_tick(const Engine *e, bool is_final);

#endif
