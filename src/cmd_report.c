#include "cmd.h"
#include "log.h"
int cmd_report(int argc, char **argv) { (void)argc; (void)argv; vnl_err("not built yet"); return 1; }
