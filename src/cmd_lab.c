#include "cmd.h"
#include "log.h"
int cmd_lab(int argc, char **argv) { (void)argc; (void)argv; vnl_err("not built yet"); return 1; }
