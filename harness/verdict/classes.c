/* classes.c: the names and symptoms of the bug classes, expanded from classes.h's table. */
#include "harness/verdict/classes.h"

#define BC__NAME(id, name, symptom) [id] = name,
#define BC__SYMPTOM(id, name, symptom) [id] = symptom,
static const char *const bc_names[] = { BC_TABLE(BC__NAME) };
static const char *const bc_symptoms[] = { BC_TABLE(BC__SYMPTOM) };

_Static_assert(sizeof(bc_names) / sizeof(bc_names[0]) == BC__END, "one name per class");

const char *bc_name(int n)
{
    return n >= 1 && n <= BC_COUNT ? bc_names[n] : "unknown class";
}

const char *bc_symptom(int n)
{
    return n >= 1 && n <= BC_COUNT ? bc_symptoms[n] : "";
}
