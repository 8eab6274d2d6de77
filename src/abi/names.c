/* Names for the ABI enumerations of include/ccada (RMI, RSI, CPU results, ccada_status),
 * so logs, traces and tests print names, not numbers. */
#include "ccada/cpu.h"
#include "ccada/rmi.h"
#include "ccada/rsi.h"
#include "ccada/status.h"

#include <stddef.h>

const char *ccada_status_name(ccada_status s)
{
        static const char *const names[] = {
#define N_(id, text) #id,
                CCADA_STATUSES(N_)
#undef N_
        };
        return (unsigned)s < CCADA_STATUS_COUNT ? names[s] : "CCADA_E_UNKNOWN";
}

const char *ccada_status_text(ccada_status s)
{
        static const char *const texts[] = {
#define T_(id, text) text,
                CCADA_STATUSES(T_)
#undef T_
        };
        return (unsigned)s < CCADA_STATUS_COUNT ? texts[s] : "unknown status";
}

const char *rmi_command_name(uint64_t fid)
{
        switch (fid) {
        case RMI_VERSION: return "RMI_VERSION";
        case RMI_GRANULE_DELEGATE: return "RMI_GRANULE_DELEGATE";
        case RMI_GRANULE_UNDELEGATE: return "RMI_GRANULE_UNDELEGATE";
        case RMI_DATA_CREATE: return "RMI_DATA_CREATE";
        case RMI_DATA_CREATE_UNKNOWN: return "RMI_DATA_CREATE_UNKNOWN";
        case RMI_DATA_DESTROY: return "RMI_DATA_DESTROY";
        case RMI_REALM_ACTIVATE: return "RMI_REALM_ACTIVATE";
        case RMI_REALM_CREATE: return "RMI_REALM_CREATE";
        case RMI_REALM_DESTROY: return "RMI_REALM_DESTROY";
        case RMI_REC_CREATE: return "RMI_REC_CREATE";
        case RMI_REC_DESTROY: return "RMI_REC_DESTROY";
        case RMI_REC_ENTER: return "RMI_REC_ENTER";
        case RMI_RTT_CREATE: return "RMI_RTT_CREATE";
        case RMI_RTT_DESTROY: return "RMI_RTT_DESTROY";
        case RMI_RTT_MAP_UNPROTECTED: return "RMI_RTT_MAP_UNPROTECTED";
        case RMI_RTT_READ_ENTRY: return "RMI_RTT_READ_ENTRY";
        case RMI_RTT_UNMAP_UNPROTECTED: return "RMI_RTT_UNMAP_UNPROTECTED";
        case RMI_PSCI_COMPLETE: return "RMI_PSCI_COMPLETE";
        case RMI_FEATURES: return "RMI_FEATURES";
        case RMI_RTT_FOLD: return "RMI_RTT_FOLD";
        case RMI_REC_AUX_COUNT: return "RMI_REC_AUX_COUNT";
        case RMI_RTT_INIT_RIPAS: return "RMI_RTT_INIT_RIPAS";
        case RMI_RTT_SET_RIPAS: return "RMI_RTT_SET_RIPAS";
        case RMI_RTT_DEV_VALIDATE: return "RMI_RTT_DEV_VALIDATE";
        case RMI_RTT_DEV_MAP: return "RMI_RTT_DEV_MAP";
        case RMI_RTT_DEV_UNMAP: return "RMI_RTT_DEV_UNMAP";
        case RMI_PDEV_ABORT: return "RMI_PDEV_ABORT";
        case RMI_PDEV_COMMUNICATE: return "RMI_PDEV_COMMUNICATE";
        case RMI_PDEV_CREATE: return "RMI_PDEV_CREATE";
        case RMI_PDEV_DESTROY: return "RMI_PDEV_DESTROY";
        case RMI_PDEV_GET_STATE: return "RMI_PDEV_GET_STATE";
        case RMI_PDEV_SET_PUBKEY: return "RMI_PDEV_SET_PUBKEY";
        case RMI_PDEV_STOP: return "RMI_PDEV_STOP";
        case RMI_VDEV_ABORT: return "RMI_VDEV_ABORT";
        case RMI_VDEV_COMMUNICATE: return "RMI_VDEV_COMMUNICATE";
        case RMI_VDEV_CREATE: return "RMI_VDEV_CREATE";
        case RMI_VDEV_DESTROY: return "RMI_VDEV_DESTROY";
        case RMI_VDEV_GET_STATE: return "RMI_VDEV_GET_STATE";
        case RMI_VDEV_UNLOCK: return "RMI_VDEV_UNLOCK";
        case RMI_VDEV_COMPLETE: return "RMI_VDEV_COMPLETE";
        case RMI_VDEV_GET_INTERFACE_REPORT: return "RMI_VDEV_GET_INTERFACE_REPORT";
        case RMI_VDEV_GET_MEASUREMENTS: return "RMI_VDEV_GET_MEASUREMENTS";
        case RMI_VDEV_LOCK: return "RMI_VDEV_LOCK";
        case RMI_VDEV_START: return "RMI_VDEV_START";
        case RMI_PDEV_STREAM_CONNECT: return "RMI_PDEV_STREAM_CONNECT";
        case RMI_PDEV_STREAM_DISCONNECT: return "RMI_PDEV_STREAM_DISCONNECT";
        case RMI_PDEV_STREAM_COMPLETE: return "RMI_PDEV_STREAM_COMPLETE";
        default: return "RMI_UNKNOWN";
        }
}

const char *rmi_status_name(unsigned status)
{
        static const char *const names[] = {
                "RMI_SUCCESS", "RMI_ERROR_INPUT", "RMI_ERROR_REALM", "RMI_ERROR_REC", "RMI_ERROR_RTT",
                "RMI_ERROR_NOT_SUPPORTED", "RMI_ERROR_DEVICE",
        };
        return status < sizeof(names) / sizeof(names[0]) ? names[status] : "RMI_ERROR_UNKNOWN";
}

const char *rmi_pdev_state_name(unsigned state)
{
        static const char *const names[] = {
                "NEW", "NEEDS_KEY", "HAS_KEY", "READY", "STOPPED", "ERROR",
        };
        return state < sizeof(names) / sizeof(names[0]) ? names[state] : "UNKNOWN";
}

const char *rmi_vdev_state_name(unsigned state)
{
        static const char *const names[] = { "NEW", "UNLOCKED", "LOCKED", "STARTED", "ERROR" };
        return state < sizeof(names) / sizeof(names[0]) ? names[state] : "UNKNOWN";
}

const char *rmi_exit_reason_name(unsigned reason)
{
        static const char *const names[] = {
                "RMI_EXIT_SYNC", "RMI_EXIT_IRQ", "RMI_EXIT_FIQ", "RMI_EXIT_PSCI",
                "RMI_EXIT_RIPAS_CHANGE", "RMI_EXIT_HOST_CALL", "RMI_EXIT_SERROR",
                [RMI_EXIT_VDEV_REQUEST] = "RMI_EXIT_VDEV_REQUEST", /* 7 (S2AP_CHANGE): none here */
                [RMI_EXIT_VDEV_VALIDATE_MAPPING] = "RMI_EXIT_VDEV_VALIDATE_MAPPING",
        };
        return reason < sizeof(names) / sizeof(names[0]) && names[reason] ? names[reason] : "RMI_EXIT_UNKNOWN";
}

const char *rmi_ripas_name(unsigned ripas)
{
        static const char *const names[] = { "EMPTY", "RAM", "DESTROYED", "DEV" };
        return ripas < sizeof(names) / sizeof(names[0]) ? names[ripas] : "UNKNOWN";
}

const char *rsi_command_name(uint64_t fid)
{
        switch (fid) {
        case RSI_VERSION: return "RSI_VERSION";
        case RSI_FEATURES: return "RSI_FEATURES";
        case RSI_MEASUREMENT_READ: return "RSI_MEASUREMENT_READ";
        case RSI_MEASUREMENT_EXTEND: return "RSI_MEASUREMENT_EXTEND";
        case RSI_ATTESTATION_TOKEN_INIT: return "RSI_ATTESTATION_TOKEN_INIT";
        case RSI_ATTESTATION_TOKEN_CONTINUE: return "RSI_ATTESTATION_TOKEN_CONTINUE";
        case RSI_REALM_CONFIG: return "RSI_REALM_CONFIG";
        case RSI_IPA_STATE_SET: return "RSI_IPA_STATE_SET";
        case RSI_IPA_STATE_GET: return "RSI_IPA_STATE_GET";
        case RSI_HOST_CALL: return "RSI_HOST_CALL";
        case RSI_VDEV_DMA_ENABLE: return "RSI_VDEV_DMA_ENABLE";
        case RSI_VDEV_GET_INFO: return "RSI_VDEV_GET_INFO";
        case RSI_VDEV_DMA_DISABLE: return "RSI_VDEV_DMA_DISABLE";
        case RSI_VDEV_VALIDATE_MAPPING: return "RSI_VDEV_VALIDATE_MAPPING";
        case PSCI_VERSION: return "PSCI_VERSION";
        case PSCI_CPU_OFF: return "PSCI_CPU_OFF";
        case PSCI_CPU_ON_64: return "PSCI_CPU_ON";
        case PSCI_AFFINITY_INFO_64: return "PSCI_AFFINITY_INFO";
        case PSCI_SYSTEM_OFF: return "PSCI_SYSTEM_OFF";
        case PSCI_SYSTEM_RESET: return "PSCI_SYSTEM_RESET";
        case PSCI_FEATURES: return "PSCI_FEATURES";
        default: return "RSI_UNKNOWN";
        }
}

const char *rsi_status_name(unsigned status)
{
        static const char *const names[] = {
                "RSI_SUCCESS", "RSI_ERROR_INPUT", "RSI_ERROR_STATE", "RSI_INCOMPLETE", "RSI_ERROR_UNKNOWN",
                "RSI_ERROR_DEVICE",
        };
        return status < sizeof(names) / sizeof(names[0]) ? names[status] : "RSI_ERROR_UNKNOWN";
}

const char *rsi_ripas_name(unsigned ripas)
{
        return rmi_ripas_name(ripas);
}

const char *cpu_result_name(enum cpu_result r)
{
        switch (r) {
        case CPU_OK: return "CPU_OK";
        case CPU_SEA: return "CPU_SEA";
        case CPU_GPF: return "CPU_GPF";
        case CPU_HALTED: return "CPU_HALTED";
        }
        return "CPU_UNKNOWN";
}
