import { Logger, Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  MasterKeyring,
  PersonalDataKeys,
  PersonalDataReader,
  PersonalDataSealer,
  loadMasterKeyring,
} from '@credit-ledger/personal-data';
import { LEDGER_DATA_SOURCE } from '../tokens';

/**
 * The keyring (given, or from PERSONAL_DATA_MASTER_KEY[_FILE]), the data keys, the sealer of ingestion and the
 * reader that opens by role and logs.
 */
export function personalDataProviders(keyring?: MasterKeyring): Provider[] {
  return [
    {
      provide: MasterKeyring,
      useFactory: () => {
        const ring = keyring ?? loadMasterKeyring();
        if (ring.origin === 'development') {
          new Logger('PersonalData').warn(
            'PERSONAL_DATA_MASTER_KEY is not set: personal data is sealed with a development key (.personal-data-dev.key); set it for real data',
          );
        }
        return ring;
      },
    },
    {
      provide: PersonalDataKeys,
      useFactory: (ring: MasterKeyring) => new PersonalDataKeys(ring),
      inject: [MasterKeyring],
    },
    {
      provide: PersonalDataSealer,
      useFactory: (keys: PersonalDataKeys) => new PersonalDataSealer(keys),
      inject: [PersonalDataKeys],
    },
    {
      provide: PersonalDataReader,
      useFactory: (ds: DataSource, keys: PersonalDataKeys) => new PersonalDataReader(ds, keys),
      inject: [LEDGER_DATA_SOURCE, PersonalDataKeys],
    },
  ];
}
