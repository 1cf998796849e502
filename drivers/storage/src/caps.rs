//! The storage pool capabilities XML (`virConnectGetStoragePoolCapabilities`): which
//! pool types this driver runs, with the volume formats a `dir` or `fs` pool takes.

/// The document.
pub(crate) const XML: &str = "<storagepoolCapabilities>
  <pool type='dir' supported='yes'>
    <volOptions>
      <defaultFormat type='raw'/>
      <enum name='targetFormatType'>
        <value>raw</value>
        <value>dir</value>
        <value>qcow2</value>
      </enum>
    </volOptions>
  </pool>
  <pool type='fs' supported='yes'>
    <poolOptions>
      <defaultFormat type='auto'/>
      <enum name='sourceFormatType'>
        <value>auto</value>
        <value>ext2</value>
        <value>ext3</value>
        <value>ext4</value>
        <value>xfs</value>
      </enum>
    </poolOptions>
    <volOptions>
      <defaultFormat type='raw'/>
      <enum name='targetFormatType'>
        <value>raw</value>
        <value>dir</value>
        <value>qcow2</value>
      </enum>
    </volOptions>
  </pool>
  <pool type='netfs' supported='no'>
  </pool>
  <pool type='logical' supported='no'>
  </pool>
  <pool type='disk' supported='no'>
  </pool>
  <pool type='iscsi' supported='no'>
  </pool>
  <pool type='iscsi-direct' supported='no'>
  </pool>
  <pool type='scsi' supported='no'>
  </pool>
  <pool type='mpath' supported='no'>
  </pool>
  <pool type='rbd' supported='no'>
  </pool>
  <pool type='sheepdog' supported='no'>
  </pool>
  <pool type='gluster' supported='no'>
  </pool>
  <pool type='zfs' supported='no'>
  </pool>
  <pool type='vstorage' supported='no'>
  </pool>
</storagepoolCapabilities>
";
