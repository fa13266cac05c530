/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU counters of one namespace, indexed by enum eipfix_counter of the
 * uapi header and summed over all CPUs when read.
 */
#ifndef _EIPFIX_COUNTERS_H
#define _EIPFIX_COUNTERS_H

#include <linux/percpu.h>
#include <uapi/linux/enclave_ipfix.h>

struct eipfix_counters {
	u64 c[__EIPFIX_CTR_A_MAX];
};

static inline void eipfix_count(struct eipfix_counters __percpu *ctr,
				enum eipfix_counter idx, u64 n)
{
	this_cpu_add(ctr->c[idx], n);
}

static inline u64 eipfix_counter_sum(struct eipfix_counters __percpu *ctr,
				     enum eipfix_counter idx)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(ctr, cpu)->c[idx];
	return sum;
}

#endif /* _EIPFIX_COUNTERS_H */
